package dev.bulwark.http;

import static dev.bulwark.http.ScriptedServer.respond;
import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.http.HttpClientEvent.GaveUp;
import dev.bulwark.http.HttpClientEvent.RetryAfterAdjusted.Adjustment;
import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.circuitbreaker.CircuitOpenException;
import dev.bulwark.resilience.circuitbreaker.SlidingWindow;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResilientHttpClientTest {

  private final ManualTimeSource time = new ManualTimeSource();
  private final List<HttpClientEvent> events = new CopyOnWriteArrayList<>();

  /** A client on virtual time whose backoff is a fixed 100 ms, so waits are easy to read. */
  private ResilientHttpClient.Builder onVirtualTime() {
    return ResilientHttpClient.builder("test")
        .timeSource(time)
        .backoff(Backoff.fixed(ofMillis(100)).build());
  }

  private ResilientHttpClient subscribed(ResilientHttpClient client) {
    client.subscribe(events::add);
    return client;
  }

  private static HttpRequest get(URI uri) {
    return HttpRequest.newBuilder(uri).build();
  }

  private <E extends HttpClientEvent> List<E> eventsOf(Class<E> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void retriesA503AndReturnsThe200ThatFollows() throws Exception {
    try (var server = ScriptedServer.start(respond(200, "ok"), respond(503, "busy"));
        var client = subscribed(onVirtualTime().build())) {
      HttpResponse<String> response = client.send(get(server.uri("/a")), BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("ok");
      assertThat(server.requests()).isEqualTo(2);
      assertThat(time.sleeps()).containsExactly(ofMillis(100));
      assertThat(eventsOf(HttpClientEvent.AttemptStarted.class)).hasSize(2);
      assertThat(eventsOf(HttpClientEvent.Retrying.class))
          .singleElement()
          .satisfies(r -> assertThat(r.reason()).isEqualTo("status 503"))
          .satisfies(r -> assertThat(r.authority()).isEqualTo(server.authority()));
    }
  }

  @Test
  void waitsTheRetryAfterOfA429InVirtualTime() throws Exception {
    try (var server =
            ScriptedServer.start(respond(200, "ok"), respond(429, "", "Retry-After", "2"));
        var client = subscribed(onVirtualTime().build())) {
      HttpResponse<String> response = client.send(get(server.uri("/")), BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(time.sleeps()).containsExactly(ofSeconds(2)); // not the backoff's 100 ms
      assertThat(time.elapsed()).isGreaterThanOrEqualTo(ofSeconds(2));
      assertThat(eventsOf(HttpClientEvent.RetryAfterAdjusted.class)).isEmpty();
    }
  }

  @Test
  void honoursRetryAfterAsAnHttpDateMeasuredFromTheServersDate() throws Exception {
    // The server's clock is 32 years behind ours: the wait is measured from its Date header.
    String date = "Sun, 06 Nov 1994 08:49:37 GMT";
    String threeSecondsLater = "Sun, 06 Nov 1994 08:49:40 GMT";
    try (var server =
            new RawServer(
                List.of(
                    RawServer.response(503, "Date: " + date, "Retry-After: " + threeSecondsLater),
                    RawServer.response(204)));
        var client = onVirtualTime().build()) {
      HttpResponse<Void> response = client.send(get(server.uri()), BodyHandlers.discarding());

      assertThat(response.statusCode()).isEqualTo(204);
      assertThat(time.sleeps()).containsExactly(ofSeconds(3));
    }
  }

  @Test
  void measuresAnHttpDateFromTheClockWhenTheResponseHasNoDate() throws Exception {
    Instant now = Instant.parse("2026-01-05T10:00:00Z");
    String in5s =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            ZonedDateTime.ofInstant(now.plusSeconds(5), ZoneOffset.UTC));
    try (var server =
            new RawServer(
                List.of(RawServer.response(503, "Retry-After: " + in5s), RawServer.response(204)));
        var client = onVirtualTime().clock(Clock.fixed(now, ZoneOffset.UTC)).build()) {
      assertThat(client.send(get(server.uri()), BodyHandlers.discarding()).statusCode())
          .isEqualTo(204);
      assertThat(time.sleeps()).containsExactly(ofSeconds(5));
    }
  }

  @ParameterizedTest(name = "Retry-After: {0} is {1}, wait {2} ms")
  @CsvSource({
    "-5, IGNORED_NEGATIVE, 100",
    "soon, IGNORED_MALFORMED, 100",
    "'Sun, 32 Foo 1994 08:49:37 GMT', IGNORED_MALFORMED, 100",
    "99999999999999999999999, CAPPED, 30000",
    "86400, CAPPED, 30000",
  })
  void handlesABadRetryAfterWithoutFailingAndSaysWhy(
      String value, Adjustment adjustment, long waitMillis) throws Exception {
    try (var server =
            ScriptedServer.start(respond(200, "ok"), respond(503, "", "Retry-After", value));
        var client =
            subscribed(
                onVirtualTime().maxRetryAfter(ofSeconds(30)).totalTimeout(ofSeconds(60)).build())) {
      HttpResponse<String> response = client.send(get(server.uri("/")), BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(time.sleeps()).containsExactly(ofMillis(waitMillis));
      assertThat(eventsOf(HttpClientEvent.RetryAfterAdjusted.class))
          .singleElement()
          .satisfies(e -> assertThat(e.adjustment()).isEqualTo(adjustment))
          .satisfies(e -> assertThat(e.value()).isEqualTo(value));
    }
  }

  @Test
  void aHangingAttemptHitsTheAttemptTimeoutAndTheNextAttemptSucceeds() throws Exception {
    CountDownLatch hanging = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ScriptedServer.Step hang =
        exchange -> {
          hanging.countDown();
          release.await(); // until the test ends; the client gives up long before
          respond(200, "late").handle(exchange);
        };
    // The deadlines are on the virtual clock: on real time the second attempt's round trip would
    // have to beat the 300 ms attempt timeout, which a loaded machine does not promise.
    try (var server = ScriptedServer.start(respond(200, "ok"), hang);
        var client =
            subscribed(
                ResilientHttpClient.builder("attempt-timeout")
                    .timeSource(time)
                    .attemptTimeout(ofMillis(300))
                    .backoff(Backoff.fixed(ofMillis(1)).build())
                    .build())) {
      try {
        HttpResponse<String> response =
            assertTimeoutPreemptively(
                ofSeconds(30),
                () -> {
                  try (ExecutorService caller = Executors.newVirtualThreadPerTaskExecutor()) {
                    Future<HttpResponse<String>> sent =
                        caller.submit(
                            () -> client.send(get(server.uri("/")), BodyHandlers.ofString()));
                    hanging.await();
                    // the total timeout's and the attempt timeout's watchdogs wait on the clock
                    time.awaitWaiters(2);
                    time.advance(ofMillis(300));
                    return sent.get();
                  }
                });

        assertThat(response.body()).isEqualTo("ok");
        assertThat(server.requests()).isEqualTo(2);
        assertThat(eventsOf(HttpClientEvent.Retrying.class))
            .singleElement()
            .satisfies(
                r -> assertThat(r.reason()).contains("TimeoutExceededException").contains("300"));
      } finally {
        release.countDown();
      }
    }
  }

  @Test
  void theTotalTimeoutEndsTheRetries() throws Exception {
    try (var server = ScriptedServer.start(respond(503, "down"));
        var client =
            subscribed(
                ResilientHttpClient.builder("total")
                    .timeSource(time)
                    .backoff(Backoff.fixed(ofSeconds(4)).build())
                    .maxAttempts(10)
                    .totalTimeout(ofSeconds(10))
                    .attemptTimeout(ofSeconds(5))
                    .build())) {
      HttpResponse<String> response = client.send(get(server.uri("/")), BodyHandlers.ofString());

      // attempts at 0 s, 4 s and 8 s; a fourth would start after the 10 s deadline
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.body()).isEqualTo("down");
      assertThat(server.requests()).isEqualTo(3);
      assertThat(time.sleeps()).containsExactly(ofSeconds(4), ofSeconds(4));
      assertThat(eventsOf(GaveUp.class))
          .singleElement()
          .satisfies(g -> assertThat(g.reason()).isEqualTo(GaveUp.Reason.DEADLINE))
          .satisfies(g -> assertThat(g.status()).isEqualTo(503));
    }
  }

  @Test
  void oneFailingHostOpensItsBreakerWhileAnotherKeepsWorking() throws Exception {
    try (var failing = ScriptedServer.start(respond(503, "down"));
        var healthy = ScriptedServer.start(respond(200, "fine"));
        var client =
            subscribed(
                onVirtualTime()
                    .maxAttempts(1)
                    .circuitBreakerPerAuthority(
                        authority ->
                            CircuitBreaker.builder(authority)
                                .slidingWindow(SlidingWindow.count(4))
                                .minimumCalls(4)
                                .openDuration(ofSeconds(60))
                                .timeSource(time)
                                .build())
                    .build())) {
      for (int i = 0; i < 4; i++) {
        assertThat(client.send(get(failing.uri("/")), BodyHandlers.ofString()).statusCode())
            .isEqualTo(503);
        assertThat(client.send(get(healthy.uri("/")), BodyHandlers.ofString()).statusCode())
            .isEqualTo(200);
      }

      assertThat(client.circuitBreaker(failing.authority()).orElseThrow().state())
          .isEqualTo(CircuitBreaker.State.OPEN);
      assertThatThrownBy(() -> client.send(get(failing.uri("/")), BodyHandlers.ofString()))
          .isInstanceOfSatisfying(
              CircuitOpenException.class,
              e ->
                  assertThat(e.retryAfter().orElseThrow())
                      .isBetween(ofSeconds(60), ofSeconds(60).plusMillis(1)));
      assertThat(failing.requests()).isEqualTo(4); // the refused call never reached it
      assertThat(client.send(get(healthy.uri("/")), BodyHandlers.ofString()).body())
          .isEqualTo("fine");
      assertThat(client.circuitBreaker(healthy.authority()).orElseThrow().state())
          .isEqualTo(CircuitBreaker.State.CLOSED);
      assertThat(eventsOf(HttpClientEvent.Refused.class)).hasSize(1);
    }
  }

  @Test
  void aRefusalIsRetriedAfterItsRetryAfterWhenThatFitsTheDeadline() throws Exception {
    try (var server = ScriptedServer.start(respond(200, "back"), respond(503, "down"));
        var client =
            subscribed(
                onVirtualTime()
                    .maxAttempts(3)
                    .circuitBreakerPerAuthority(
                        authority ->
                            CircuitBreaker.builder(authority)
                                .slidingWindow(SlidingWindow.count(1))
                                .minimumCalls(1)
                                .openDuration(ofSeconds(5))
                                .permittedCallsInHalfOpen(1)
                                .timeSource(time)
                                .build())
                    .build())) {
      // 503 opens the breaker; the retry is refused with retryAfter 5 s, waits it, then succeeds
      HttpResponse<String> response = client.send(get(server.uri("/")), BodyHandlers.ofString());

      assertThat(response.body()).isEqualTo("back");
      // the backoff's 100 ms after the 503, then the rest of the breaker's 5 s open duration
      assertThat(time.sleeps()).hasSize(2).first().isEqualTo(ofMillis(100));
      assertThat(time.sleeps().get(1)).isBetween(ofMillis(4900), ofMillis(4901));
      assertThat(eventsOf(HttpClientEvent.Refused.class)).hasSize(1);
    }
  }

  @Test
  void aPostIsNotRetried() throws Exception {
    try (var server = ScriptedServer.start(respond(200, "ok"), respond(503, "down"));
        var client = subscribed(onVirtualTime().build())) {
      HttpRequest post =
          HttpRequest.newBuilder(server.uri("/orders")).POST(BodyPublishers.ofString("{}")).build();
      HttpResponse<String> response = client.send(post, BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.body()).isEqualTo("down");
      assertThat(server.requests()).isEqualTo(1);
      assertThat(eventsOf(GaveUp.class))
          .singleElement()
          .satisfies(g -> assertThat(g.reason()).isEqualTo(GaveUp.Reason.NOT_IDEMPOTENT));
    }
  }

  @Test
  void aPostWithAnIdempotencyKeyIsRetried() throws Exception {
    try (var server = ScriptedServer.start(respond(200, "ok"), respond(503, "down"));
        var client = onVirtualTime().build()) {
      HttpRequest post =
          HttpRequest.newBuilder(server.uri("/orders"))
              .header("Idempotency-Key", "order-17")
              .POST(BodyPublishers.ofString("{}"))
              .build();
      assertThat(client.send(post, BodyHandlers.ofString()).body()).isEqualTo("ok");
      assertThat(server.requests()).isEqualTo(2);
    }
  }

  @Test
  void aBodyThatCannotBeReplayedIsNotRetried() throws Exception {
    try (var server = ScriptedServer.start(respond(200, "ok"), respond(503, "down"));
        var client = subscribed(onVirtualTime().build())) {
      HttpRequest put =
          HttpRequest.newBuilder(server.uri("/file"))
              .PUT(BodyPublishers.ofInputStream(() -> InputStream.nullInputStream()))
              .build();
      assertThat(client.send(put, BodyHandlers.ofString()).statusCode()).isEqualTo(503);
      assertThat(server.requests()).isEqualTo(1);
      assertThat(eventsOf(GaveUp.class))
          .singleElement()
          .satisfies(g -> assertThat(g.reason()).isEqualTo(GaveUp.Reason.BODY_NOT_REPLAYABLE));
    }
  }

  @Test
  void aNotFoundIsReturnedAtOnceAndCountsAsSuccessForTheBreaker() throws Exception {
    try (var server = ScriptedServer.start(respond(404, "no such order"));
        var client = onVirtualTime().build()) {
      HttpResponse<String> response = client.send(get(server.uri("/")), BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(server.requests()).isEqualTo(1);
      CircuitBreaker breaker = client.circuitBreaker(server.authority()).orElseThrow();
      assertThat(breaker.metrics().failedCalls()).isZero();
      assertThat(breaker.metrics().bufferedCalls()).isEqualTo(1);
    }
  }

  @Test
  void aHedgedGetReturnsTheFastResponseAndCancelsTheSlowOne() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<IOException> slowWrite = new CompletableFuture<>();
    ScriptedServer.Step slow =
        exchange -> {
          release.await();
          // The client cancelled this attempt and closed its connection: writing a large body
          // into it fails. Had it not been cancelled, the client would read it all.
          try {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
              byte[] chunk = new byte[64 * 1024];
              for (int i = 0; i < 256; i++) {
                out.write(chunk);
              }
            }
            slowWrite.complete(null);
          } catch (IOException expected) {
            slowWrite.complete(expected);
          }
        };
    ThreadLocal<String> requestId = new ThreadLocal<>();
    List<String> seenByAttempts = new CopyOnWriteArrayList<>();
    try (var server = ScriptedServer.start(respond(200, "fast"), slow);
        var client =
            subscribed(
                ResilientHttpClient.builder("hedged")
                    .hedgeAfter(ofMillis(50))
                    .contextPropagator(
                        ContextPropagator.of(
                            ContextPropagator.threadLocal(requestId),
                            () ->
                                () -> {
                                  // restored on the attempt's thread: what does it see there?
                                  seenByAttempts.add(
                                      requestId.get() + "@" + Thread.currentThread().isVirtual());
                                  return () -> {};
                                }))
                    .build())) {
      try {
        HttpResponse<String> response =
            assertTimeoutPreemptively(
                ofSeconds(10),
                () -> {
                  requestId.set("req-1");
                  return client.send(get(server.uri("/")), BodyHandlers.ofString());
                });

        assertThat(response.body()).isEqualTo("fast");
        assertThat(eventsOf(HttpClientEvent.Hedged.class))
            .singleElement()
            .satisfies(h -> assertThat(h.attempt()).isEqualTo(2));
        assertThat(seenByAttempts).containsExactly("req-1@true", "req-1@true");
      } finally {
        release.countDown();
      }
      IOException failedWrite = slowWrite.get(10, TimeUnit.SECONDS);
      assertThat(failedWrite)
          .as("the slow response's write fails: its exchange was cancelled")
          .isNotNull();
      assertThat(server.requests()).isEqualTo(2);
    }
  }

  @Test
  void leaksNoConnectionAfterAThousandRetriedRequests() throws Exception {
    String largeErrorBody = "x".repeat(256 * 1024); // more than socket buffers hold unread
    AtomicInteger served = new AtomicInteger();
    try (var server =
            ScriptedServer.start(
                exchange -> {
                  boolean firstAttempt = served.getAndIncrement() % 2 == 0;
                  respond(firstAttempt ? 503 : 200, firstAttempt ? largeErrorBody : "ok")
                      .handle(exchange);
                });
        var client = onVirtualTime().build()) {
      // Bounded by its count, and each request by a preemptive timeout that catches a hang. One
      // bound over the whole loop would measure speed instead: on a loaded 2-core machine the
      // 2,000 exchanges (half of them 256 KiB) took from one to more than five minutes.
      for (int i = 0; i < 1000; i++) {
        URI uri = server.uri("/item?n=" + i);
        byte[] body =
            assertTimeoutPreemptively(
                ofSeconds(60),
                () -> {
                  HttpResponse<InputStream> response =
                      client.send(get(uri), BodyHandlers.ofInputStream());
                  try (InputStream in = response.body()) {
                    return in.readAllBytes();
                  }
                },
                () -> "request " + uri + " hung");
        assertThat(body).as("body of %s", uri).hasSize(2);
      }

      assertThat(server.requests()).isEqualTo(2000);
      // Every discarded 503 body was read to its end, so its connection went back to the pool
      // and was reused: all 2,000 exchanges came over one or two connections. A body left unread
      // would have kept its connection busy and forced a new one for the next request.
      assertThat(server.connections()).isBetween(1, 2);
      if (Files.isReadable(Path.of("/proc/net/tcp"))) {
        assertThat(establishedTo(server.port())).isBetween(0L, 2L);
      }
    }
  }

  /** Server-side TCP connections in state ESTABLISHED on {@code port}, from /proc/net/tcp. */
  private static long establishedTo(int port) throws IOException {
    String local = String.format(":%04X ", port);
    return Files.readAllLines(Path.of("/proc/net/tcp")).stream()
        .skip(1)
        .map(String::strip)
        .map(line -> line.split("\\s+"))
        .filter(f -> (f[1] + " ").endsWith(local) && f[3].equals("01"))
        .count();
  }
}
