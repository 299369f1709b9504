package dev.bulwark.samples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.http.ResilientHttpClient;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.backoff.Jitter;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.circuitbreaker.SlidingWindow;
import dev.bulwark.resilience.fallback.Fallback;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.retry.RetryBudget;
import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.ResumingSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Every call the service makes to its upstream, and the policies around them, in one place.
 *
 * <p>A quote goes through, outermost first: fallback (the last good quote, if there is one) → retry
 * (3 attempts, exponential backoff with decorrelated jitter, on a shared retry budget) → circuit
 * breaker → timeout per attempt → bulkhead. A tick stream is re-opened after a failure from the
 * last tick delivered ({@link ResumingSource}).
 *
 * <p>The inner three stages are the {@code http-client} module's {@link ResilientHttpClient}: it
 * classifies the upstream's answers (5xx, 408, 429 and I/O errors count against the breaker, other
 * 4xx do not), runs the circuit breaker of the upstream's authority (the service's own {@code
 * quotes} breaker, handed to it, so the status page and {@code /metrics} show the breaker that
 * trips), the attempt and total timeouts, and the upstream's bulkhead. Its own retry is turned off
 * ({@code maxAttempts(1)}): its fixed stack has no retry budget, and one attempt per {@code send}
 * lets the service tell a fresh answer from a retried one. The retry with decorrelated jitter and
 * the shared {@link RetryBudget}, and the fallback, stay outside it, written with resilience-core.
 */
final class UpstreamClient {

  /** A quote as the service returns it, with which path served it. */
  record QuoteReply(String symbol, double price, String served, int attempts) {}

  /** One tick of the upstream's stream. */
  record Tick(long seq, String symbol, double price) {}

  private final Supplier<URI> base;
  private final HttpClient http;
  private final Duration attemptTimeout;
  private final CircuitBreaker breaker;
  private final Retry retry;
  private final RetryBudget budget;
  private final Bulkhead bulkhead;
  private final ResilientHttpClient resilient;
  private final Map<String, QuoteReply> lastGood = new ConcurrentHashMap<>();

  UpstreamClient(Supplier<URI> base, ServiceConfig config) {
    this.base = base;
    this.attemptTimeout = config.upstreamTimeout();
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    this.budget = RetryBudget.builder().ratio(0.2).minRetriesPerSecond(5).build();
    this.retry =
        Retry.builder("quotes")
            .maxAttempts(3)
            .backoff(
                Backoff.exponential(Duration.ofMillis(50), Duration.ofSeconds(1))
                    .jitter(Jitter.decorrelated())
                    .build())
            .retryOn(IOException.class) // the client's timeouts are HttpTimeoutExceptions
            .budget(budget)
            .build();
    this.breaker =
        CircuitBreaker.builder("quotes")
            .slidingWindow(SlidingWindow.count(20))
            .minimumCalls(10)
            .failureRateThreshold(50)
            .openDuration(config.breakerOpenDuration())
            .permittedCallsInHalfOpen(2)
            .build();
    this.bulkhead =
        Bulkhead.builder("quotes").maxConcurrentCalls(config.upstreamConcurrency()).build();
    // one upstream, one authority: every authority gets the service's breaker and bulkhead. Its
    // retry is off: its fixed stack has no retry budget, so the budgeted retry above wraps it
    this.resilient =
        ResilientHttpClient.builder("quotes")
            .httpClient(http)
            .maxAttempts(1)
            .attemptTimeout(config.upstreamTimeout())
            .totalTimeout(config.upstreamTimeout())
            .circuitBreakerPerAuthority(authority -> breaker)
            .bulkheadPerAuthority(authority -> bulkhead)
            .build();
  }

  CircuitBreaker breaker() {
    return breaker;
  }

  Retry retry() {
    return retry;
  }

  RetryBudget budget() {
    return budget;
  }

  Bulkhead bulkhead() {
    return bulkhead;
  }

  /**
   * Returns a quote through the whole pipeline; when it fails, the last good quote for the symbol
   * if there is one.
   *
   * @throws IOException the upstream's failure, after the retries, if there is no last good quote
   * @throws dev.bulwark.resilience.RejectedException a refusal (breaker open, bulkhead full, budget
   *     spent), if there is no last good quote
   */
  QuoteReply quote(String symbol) throws IOException {
    AtomicInteger attempts = new AtomicInteger();
    Fallback<QuoteReply> lastKnown =
        Fallback.<QuoteReply>of(
                failure -> {
                  QuoteReply last = lastGood.get(symbol);
                  return new QuoteReply(symbol, last.price(), "fallback", attempts.get());
                })
            .when(failure -> lastGood.containsKey(symbol));
    return lastKnown.call(
        retry,
        () -> {
          int attempt = attempts.incrementAndGet();
          double price = price(send(resilient::send, symbol));
          QuoteReply reply =
              new QuoteReply(symbol, price, attempt == 1 ? "fresh" : "retried", attempt);
          lastGood.put(symbol, reply);
          return reply;
        });
  }

  /** One plain attempt, no policies: what the load scenario's "without" run calls. */
  double fetchPrice(String symbol) throws IOException {
    return price(
        send(
            (request, handler) ->
                http.send(
                    HttpRequest.newBuilder(request, (name, value) -> true)
                        .timeout(attemptTimeout.plusMillis(100))
                        .build(),
                    handler),
            symbol));
  }

  /** A way to send one request: the resilient client's, or the bare JDK client's. */
  @FunctionalInterface
  private interface Sender {
    HttpResponse<String> send(HttpRequest request, HttpResponse.BodyHandler<String> handler)
        throws IOException, InterruptedException;
  }

  private HttpResponse<String> send(Sender sender, String symbol) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(base.get().resolve("/quote/" + symbol)).GET().build();
    try {
      return sender.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for the upstream");
    }
  }

  private static double price(HttpResponse<String> response) throws IOException {
    if (response.statusCode() != 200) {
      Duration retryAfter =
          response
              .headers()
              .firstValue("Retry-After")
              .flatMap(UpstreamClient::seconds)
              .orElse(null);
      throw new UpstreamException(response.statusCode(), retryAfter);
    }
    JsonNode json = Json.MAPPER.readTree(response.body());
    return json.get("price").asDouble();
  }

  private static Optional<Duration> seconds(String value) {
    try {
      return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      return Optional.empty(); // an HTTP date or garbage: no hint
    }
  }

  /**
   * Opens the upstream's tick stream for {@code symbols}, resumed after failures from the last tick
   * delivered; closing the source closes the upstream connection, which ends the upstream's work.
   *
   * @param after the tick to start after (an SSE {@code Last-Event-ID}), if any
   */
  ChunkSource<Tick> ticks(List<String> symbols, Optional<Long> after) {
    ResumingSource.Builder<Tick, Long> builder =
        ResumingSource.<Tick, Long>builder(position -> openTicks(symbols, position), Tick::seq)
            .backoff(
                Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2))
                    .jitter(Jitter.full())
                    .build())
            .maxResumes(20);
    after.ifPresent(builder::startAfter);
    return builder.build();
  }

  private ChunkSource<Tick> openTicks(List<String> symbols, Optional<Long> after) {
    URI uri =
        base.get()
            .resolve(
                "/ticks?symbols="
                    + URLEncoder.encode(String.join(",", symbols), StandardCharsets.UTF_8)
                    + "&after="
                    + after.orElse(0L));
    return ChunkSource.<Tick>generator(
            out -> {
              HttpResponse<InputStream> response =
                  http.send(
                      HttpRequest.newBuilder(uri).GET().build(),
                      HttpResponse.BodyHandlers.ofInputStream());
              // closing the body before its end drops the connection: the upstream stops
              try (InputStream body = response.body();
                  BufferedReader lines =
                      new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                if (response.statusCode() != 200) {
                  throw new UpstreamException(response.statusCode(), null);
                }
                String line;
                while ((line = lines.readLine()) != null) {
                  JsonNode t = Json.MAPPER.readTree(line);
                  out.emit(
                      new Tick(
                          t.get("seq").asLong(),
                          t.get("symbol").asText(),
                          t.get("price").asDouble()));
                }
                // the upstream never ends a tick stream on purpose: an end is a failure to resume
                throw new IOException("upstream tick stream broke off");
              }
            })
        .bufferSize(4)
        .build();
  }
}
