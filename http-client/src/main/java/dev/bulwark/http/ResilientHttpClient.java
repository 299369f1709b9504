package dev.bulwark.http;

import dev.bulwark.http.internal.BoundedTable;
import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.backoff.Jitter;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.circuitbreaker.SlidingWindow;
import dev.bulwark.resilience.hedge.Hedge;
import dev.bulwark.resilience.hedge.HedgeEvent;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Listeners;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.timeout.Timeout;
import dev.bulwark.resilience.timeout.TimeoutExceededException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The JDK's {@link HttpClient} with the standard resilience every service writes around it: retries
 * that honour {@code Retry-After}, a timeout per attempt and one over all attempts, a circuit
 * breaker per remote authority, optional bulkhead, rate limit and hedging per authority, and a
 * replaceable classification of responses.
 *
 * <pre>{@code
 * ResilientHttpClient client = ResilientHttpClient.builder("partners").build();
 * HttpResponse<String> response =
 *     client.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString());
 * }</pre>
 *
 * <p><b>The stack</b>, outermost first, for each {@link #send send}: total timeout → retry →
 * circuit breaker of the request's authority → attempt timeout → hedge (if enabled, for requests
 * safe to repeat) → bulkhead of the authority (if set) → rate limit of the authority (if set) → the
 * JDK client. The call blocks the caller's thread, which suits virtual threads; only hedged
 * attempts run on threads of their own (virtual, carrying the caller's context through the {@link
 * Builder#contextPropagator(ContextPropagator) context propagator}).
 *
 * <p><b>Defaults</b>, each replaceable on the {@link Builder}:
 *
 * <table class="striped">
 *   <caption>Defaults and why</caption>
 *   <thead><tr><th>setting</th><th>default</th><th>why</th></tr></thead>
 *   <tbody>
 *   <tr><td>{@code totalTimeout}</td><td>30 s</td><td>.NET's value; bounds a call with all its
 *       retries and waits, below the usual 60 s of load balancers and gateways</td></tr>
 *   <tr><td>{@code attemptTimeout}</td><td>10 s</td><td>.NET's value; lets a hung attempt be
 *       replaced at least twice within the total</td></tr>
 *   <tr><td>{@code maxAttempts}</td><td>3</td><td>the SRE book's "at most 3 attempts per request":
 *       a third attempt rarely succeeds where two failed, and more multiply load in an outage
 *       (.NET retries 3 times, i.e. 4 attempts)</td></tr>
 *   <tr><td>{@code backoff}</td><td>exponential from 1 s, doubling, cap 10 s, full jitter</td>
 *       <td>full jitter spreads clients that failed together (Brooker); 1 s rather than .NET's 2 s
 *       so that 3 attempts fit well within 30 s</td></tr>
 *   <tr><td>{@code maxRetryAfter}</td><td>30 s</td><td>a server's {@code Retry-After} is
 *       honoured up to the total timeout; a longer one cannot be waited for anyway</td></tr>
 *   <tr><td>breaker per authority</td><td>50 % failures over a 30 s time window, at least 20
 *       calls, open 5 s, 10 calls half-open</td><td>.NET's window and break; 50 % and 20 calls
 *       (not 10 % and 100) because a breaker per host sees only that host's traffic, and a
 *       partner called once a second would otherwise never trip it</td></tr>
 *   <tr><td>{@code maxAuthorities}</td><td>1,000</td><td>bounds the per-host state when URIs come
 *       from data; closed breakers are dropped first</td></tr>
 *   <tr><td>bulkhead, rate limit</td><td>none</td><td>a limit is a capacity decision about the
 *       partner that a library cannot guess (.NET's 1,000 concurrent calls is nearly no
 *       limit)</td></tr>
 *   <tr><td>hedging</td><td>off</td><td>it adds load and suits only idempotent reads whose tail
 *       latency matters; when on, at the 95th percentile of the authority's latencies (about 5 %
 *       extra load, "The Tail at Scale")</td></tr>
 *   <tr><td>retried methods</td><td>GET, HEAD, OPTIONS, TRACE, PUT, DELETE, or any request with
 *       an {@code Idempotency-Key} header</td><td>RFC 9110's idempotent methods; a POST or PATCH
 *       repeated blindly may charge twice</td></tr>
 *   <tr><td>classification</td><td>{@link ResponseClassifier#standard()}</td><td>5xx, 408, 429
 *       and I/O errors are transient; other 4xx are the caller's, not the host's</td></tr>
 *   </tbody>
 * </table>
 *
 * <p><b>Safety.</b> A request is retried or hedged only if it is idempotent (see the table, or
 * {@link Builder#idempotentIf(Predicate)}) and its body can be sent again (no body, or one from
 * {@code BodyPublishers.ofString}, {@code ofByteArray}, {@code ofFile}; not {@code ofInputStream}
 * or {@code fromPublisher}). A refused attempt was never sent, so it is retried whatever the
 * method. The body of a response that will be retried is discarded (read and dropped, so the
 * connection goes back to the pool) and never reaches the caller's body handler; the losing
 * attempts of a hedge are cancelled, and a loser's body that arrived anyway is closed.
 *
 * <p><b>Outcomes.</b> {@code send} returns the first response that is not retried — a success, a
 * 4xx, or a transient one that can no longer be retried (then a {@link HttpClientEvent.GaveUp} says
 * why). It throws the last {@link IOException} of the JDK client; an {@link HttpTimeoutException}
 * when the total or the last attempt's timeout passed; or a {@link RejectedException} (a {@code
 * CircuitOpenException}, {@code BulkheadFullException} or {@code RateLimitedException}, with {@code
 * retryAfter()}) when the client's own policies refused the last attempt.
 *
 * <p>A client is thread-safe; share one per application or per group of partners.
 */
public final class ResilientHttpClient implements EventSource<HttpClientEvent>, AutoCloseable {

  /**
   * The configuration of a client, as built.
   *
   * @param totalTimeout the most time a call may take, attempts and waits included
   * @param attemptTimeout the most time one attempt may take, its body included
   * @param maxAttempts the most attempts per call, the first included
   * @param backoff the waits between attempts
   * @param maxRetryAfter the longest {@code Retry-After} honoured
   * @param maxAuthorities the most authorities whose state is kept
   * @param hedgeDelay the fixed hedging delay, or the fallback one when a percentile is set; empty
   *     when hedging is off
   * @param hedgePercentile the latency percentile used as hedging delay, if set
   * @param classifier the classification of responses and failures
   * @param idempotentIf the user's predicate that marks more requests as safe to repeat
   * @param timeSource the time source for waits and timeouts
   * @param clock the wall clock for {@code Retry-After} dates when a response has no {@code Date}
   */
  public record Config(
      Duration totalTimeout,
      Duration attemptTimeout,
      int maxAttempts,
      Backoff backoff,
      Duration maxRetryAfter,
      int maxAuthorities,
      Optional<Duration> hedgeDelay,
      OptionalDouble hedgePercentile,
      ResponseClassifier classifier,
      Predicate<? super HttpRequest> idempotentIf,
      TimeSource timeSource,
      Clock clock) {}

  /** The per-authority policies; the breaker always, the others when configured. */
  record AuthorityPolicies(CircuitBreaker breaker, Bulkhead bulkhead, Hedge hedge) {}

  private final String name;
  private final Config config;
  final HttpClient http;
  private final ExecutorService ownedExecutor; // null: the client is the user's
  final Timeout totalTimeout;
  final Timeout attemptTimeout;
  final KeyedRateLimiter<String> rateLimiter; // null: none
  final BoundedTable<AuthorityPolicies> authorities;
  final Listeners<HttpClientEvent> listeners;
  private final Function<String, CircuitBreaker> breakerFactory;
  private final Function<String, Bulkhead> bulkheadFactory;
  private final ContextPropagator propagator;

  private ResilientHttpClient(Builder b) {
    this.name = b.name;
    this.config =
        new Config(
            b.totalTimeout,
            b.attemptTimeout,
            b.maxAttempts,
            b.backoff,
            b.maxRetryAfter,
            b.maxAuthorities,
            Optional.ofNullable(b.hedgeDelay),
            Double.isNaN(b.hedgePercentile)
                ? OptionalDouble.empty()
                : OptionalDouble.of(b.hedgePercentile),
            b.classifier,
            b.idempotentIf,
            b.timeSource,
            b.clock);
    if (b.httpClient != null) {
      this.http = b.httpClient;
      this.ownedExecutor = null;
    } else {
      this.ownedExecutor =
          Executors.newThreadPerTaskExecutor(
              Thread.ofVirtual().name("bulwark-http-" + b.name + "-", 0).factory());
      this.http = HttpClient.newBuilder().executor(ownedExecutor).build();
    }
    this.totalTimeout =
        Timeout.builder(b.name + "-total").timeout(b.totalTimeout).timeSource(b.timeSource).build();
    this.attemptTimeout =
        Timeout.builder(b.name + "-attempt")
            .timeout(b.attemptTimeout)
            .timeSource(b.timeSource)
            .build();
    this.rateLimiter = b.rateLimiter;
    this.breakerFactory = b.breakerFactory != null ? b.breakerFactory : this::defaultBreaker;
    this.bulkheadFactory = b.bulkheadFactory;
    this.propagator = b.propagator;
    this.listeners = new Listeners<>("http client '" + b.name + "'");
    this.authorities =
        new BoundedTable<>(
            b.maxAuthorities,
            this::policiesFor,
            p -> p.breaker().state() == CircuitBreaker.State.CLOSED);
  }

  /**
   * Starts a client with the defaults of the table above.
   *
   * @param name the name events carry and the client's policies are named after
   * @return a builder; {@link Builder#build()} validates
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Returns the name this client was built with.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns this client's configuration.
   *
   * @return the configuration as built
   */
  public Config config() {
    return config;
  }

  /**
   * Returns the JDK client that sends the requests.
   *
   * @return the underlying client
   */
  public HttpClient httpClient() {
    return http;
  }

  /**
   * Returns the circuit breaker of an authority, if the client keeps one: it exists once a request
   * went there and until it is dropped to keep {@code maxAuthorities}.
   *
   * @param authority scheme, host and port, e.g. {@code https://api.example.com:443}
   * @return the breaker, or empty
   * @throws NullPointerException if {@code authority} is null
   */
  public Optional<CircuitBreaker> circuitBreaker(String authority) {
    Objects.requireNonNull(authority, "authority");
    AuthorityPolicies p = authorities.find(authority);
    return p == null ? Optional.empty() : Optional.of(p.breaker());
  }

  @Override
  public Subscription subscribe(Consumer<? super HttpClientEvent> listener) {
    return listeners.subscribe(listener);
  }

  /**
   * Sends {@code request} through the stack and blocks until the response's body is handled.
   *
   * @param request the request; its own {@code timeout()}, if set, also bounds each attempt (the
   *     JDK client enforces it)
   * @param handler the handler of the body of the response that is returned; never given the body
   *     of a response that is retried
   * @param <T> the body type
   * @return the first response that is not retried
   * @throws IOException the JDK client's last failure, after retries
   * @throws HttpTimeoutException if the total timeout passed, or the last attempt's timeout did
   * @throws RejectedException if the authority's breaker, bulkhead or rate limit refused the last
   *     attempt; its {@code retryAfter()} says when to try again
   * @throws InterruptedException if the calling thread is interrupted; the attempt in flight is
   *     cancelled
   * @throws NullPointerException if {@code request} or {@code handler} is null
   */
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(handler, "handler");
    Exchange<T> exchange = new Exchange<>(this, request, handler);
    try {
      return totalTimeout.call(exchange::run);
    } catch (TimeoutExceededException timedOut) {
      HttpTimeoutException e =
          new HttpTimeoutException(
              request.method()
                  + " "
                  + request.uri()
                  + " timed out: no response within the client's total timeout of "
                  + config.totalTimeout());
      e.initCause(timedOut);
      throw e;
    } catch (Exception failure) {
      throw Exchange.rethrow(failure);
    }
  }

  /**
   * Closes the JDK client and its threads if this client created them; a client given to {@link
   * Builder#httpClient(HttpClient)} is left open for its owner.
   */
  @Override
  public void close() {
    if (ownedExecutor != null) {
      http.close();
      ownedExecutor.close();
    }
  }

  private AuthorityPolicies policiesFor(String authority) {
    CircuitBreaker breaker = Objects.requireNonNull(breakerFactory.apply(authority), "breaker");
    Bulkhead bulkhead = bulkheadFactory == null ? null : bulkheadFactory.apply(authority);
    Hedge hedge = null;
    if (config.hedgeDelay().isPresent()) {
      Hedge.Builder hb =
          Hedge.builder(name + "@" + authority)
              .maxExtraAttempts(1)
              .timeSource(config.timeSource())
              .threadFactory(hedgeThreads(authority));
      Duration delay = config.hedgeDelay().get();
      hedge =
          config.hedgePercentile().isPresent()
              ? hb.delayAtPercentile(config.hedgePercentile().getAsDouble(), delay).build()
              : hb.delay(delay).build();
      hedge.subscribe(
          event -> {
            if (event instanceof HedgeEvent.HedgeStarted started && !listeners.isEmpty()) {
              listeners.publish(
                  new HttpClientEvent.Hedged(
                      name, authority, started.attempt(), started.elapsed()));
            }
          });
    }
    return new AuthorityPolicies(breaker, bulkhead, hedge);
  }

  /**
   * Virtual threads for hedged attempts. The hedge asks for a thread on the caller's thread, so the
   * caller's context is captured there and restored on the attempt's thread.
   */
  private ThreadFactory hedgeThreads(String authority) {
    ThreadFactory virtual =
        Thread.ofVirtual().name("bulwark-hedge-" + authority + "-", 0).factory();
    return task -> virtual.newThread(propagator.wrap(task));
  }

  private CircuitBreaker defaultBreaker(String authority) {
    return CircuitBreaker.builder(name + "@" + authority)
        .failureRateThreshold(50)
        .slidingWindow(SlidingWindow.time(Duration.ofSeconds(30)))
        .minimumCalls(20)
        .openDuration(Duration.ofSeconds(5))
        .permittedCallsInHalfOpen(10)
        .timeSource(config.timeSource())
        .build();
  }

  @Override
  public String toString() {
    return "ResilientHttpClient[" + name + ", " + config + "]";
  }

  /** Builds a {@link ResilientHttpClient}; {@link #build()} validates every setting. */
  public static final class Builder {
    private final String name;
    private HttpClient httpClient;
    private boolean httpClientSet;
    private Duration totalTimeout = Duration.ofSeconds(30);
    private Duration attemptTimeout = Duration.ofSeconds(10);
    private int maxAttempts = 3;
    private Backoff backoff;
    private Duration maxRetryAfter = Duration.ofSeconds(30);
    private int maxAuthorities = 1_000;
    private Function<String, CircuitBreaker> breakerFactory;
    private boolean breakerFactorySet;
    private Function<String, Bulkhead> bulkheadFactory;
    private boolean bulkheadFactorySet;
    private KeyedRateLimiter<String> rateLimiter;
    private boolean rateLimiterSet;
    private Duration hedgeDelay;
    private boolean hedgeDelaySet;
    private double hedgePercentile = Double.NaN;
    private ResponseClassifier classifier = ResponseClassifier.standard();
    private Predicate<? super HttpRequest> idempotentIf = request -> false;
    private TimeSource timeSource = TimeSource.system();
    private Clock clock = Clock.systemUTC();
    private ContextPropagator propagator = ContextPropagator.none();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sends through this JDK client (default: a new one whose threads are virtual, closed by {@link
     * ResilientHttpClient#close()}). A client given here is never closed by this one.
     *
     * @param httpClient the client
     * @return this builder
     */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = httpClient;
      this.httpClientSet = true;
      return this;
    }

    /**
     * Bounds a whole call, attempts and waits included (default 30 s).
     *
     * @param totalTimeout positive
     * @return this builder
     */
    public Builder totalTimeout(Duration totalTimeout) {
      this.totalTimeout = totalTimeout;
      return this;
    }

    /**
     * Bounds each attempt, from sending the request to the end of its body (default 10 s).
     *
     * @param attemptTimeout positive, at most {@code totalTimeout}
     * @return this builder
     */
    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = attemptTimeout;
      return this;
    }

    /**
     * Sets the most attempts per call, the first included (default 3); 1 turns retries off.
     *
     * @param maxAttempts at least 1
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets the waits between attempts (default: exponential from 1 s, doubling, capped at 10 s,
     * full jitter). A {@code Retry-After} or a refusal's {@code retryAfter()} lengthens a wait,
     * never shortens it.
     *
     * @param backoff the backoff
     * @return this builder
     */
    public Builder backoff(Backoff backoff) {
      this.backoff = backoff;
      return this;
    }

    /**
     * Caps the {@code Retry-After} honoured (default 30 s). A longer one is capped, and a {@link
     * HttpClientEvent.RetryAfterAdjusted} says so.
     *
     * @param maxRetryAfter zero or more
     * @return this builder
     */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      this.maxRetryAfter = maxRetryAfter;
      return this;
    }

    /**
     * Bounds how many authorities' breakers, bulkheads and hedges are kept (default 1,000).
     *
     * @param maxAuthorities at least 1
     * @return this builder
     */
    public Builder maxAuthorities(int maxAuthorities) {
      this.maxAuthorities = maxAuthorities;
      return this;
    }

    /**
     * Replaces the default breaker of each authority (see the table of defaults). The factory is
     * called once per authority, with the authority; give its breakers this client's time source.
     *
     * @param perAuthority makes the breaker of an authority
     * @return this builder
     */
    public Builder circuitBreakerPerAuthority(Function<String, CircuitBreaker> perAuthority) {
      this.breakerFactory = perAuthority;
      this.breakerFactorySet = true;
      return this;
    }

    /**
     * Bounds the concurrent attempts per authority with a bulkhead made by the factory (default:
     * none).
     *
     * @param perAuthority makes the bulkhead of an authority
     * @return this builder
     */
    public Builder bulkheadPerAuthority(Function<String, Bulkhead> perAuthority) {
      this.bulkheadFactory = perAuthority;
      this.bulkheadFactorySet = true;
      return this;
    }

    /**
     * Rate-limits attempts per authority, the authority being the limiter's key (default: none).
     *
     * @param limiter the keyed limiter
     * @return this builder
     */
    public Builder rateLimitPerAuthority(KeyedRateLimiter<String> limiter) {
      this.rateLimiter = limiter;
      this.rateLimiterSet = true;
      return this;
    }

    /**
     * Hedges requests that are safe to repeat: if an attempt has not answered after {@code delay},
     * a second one starts and the first response wins (default: no hedging).
     *
     * @param delay positive
     * @return this builder
     */
    public Builder hedgeAfter(Duration delay) {
      this.hedgeDelay = delay;
      this.hedgeDelaySet = true;
      this.hedgePercentile = Double.NaN;
      return this;
    }

    /**
     * Hedges requests that are safe to repeat after the given percentile of their authority's
     * recent latencies, {@code fallbackDelay} until enough are measured (default: no hedging).
     *
     * @param percentile in (0, 100), typically 95
     * @param fallbackDelay positive
     * @return this builder
     */
    public Builder hedgeAtPercentile(double percentile, Duration fallbackDelay) {
      this.hedgeDelay = fallbackDelay;
      this.hedgeDelaySet = true;
      this.hedgePercentile = percentile;
      return this;
    }

    /**
     * Replaces the classification of responses and failures (default {@link
     * ResponseClassifier#standard()}).
     *
     * @param classifier the classifier
     * @return this builder
     */
    public Builder classifier(ResponseClassifier classifier) {
      this.classifier = classifier;
      return this;
    }

    /**
     * Marks more requests as safe to repeat, besides the idempotent methods and requests with an
     * {@code Idempotency-Key} header (default: none), e.g. {@code r -> r.uri().getPath().startsWith
     * ("/search")} for a POST that only reads.
     *
     * @param idempotentIf true for requests that may be retried and hedged
     * @return this builder
     */
    public Builder idempotentIf(Predicate<? super HttpRequest> idempotentIf) {
      this.idempotentIf = idempotentIf;
      return this;
    }

    /**
     * Sets the time source of waits, timeouts and the per-authority policies (default {@link
     * TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Sets the wall clock used to read a {@code Retry-After} date when the response carries no
     * {@code Date} header (default {@link Clock#systemUTC()}).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Carries the caller's thread context to hedged attempts (default {@link
     * ContextPropagator#none()}).
     *
     * @param propagator the propagator
     * @return this builder
     */
    public Builder contextPropagator(ContextPropagator propagator) {
      this.propagator = propagator;
      return this;
    }

    /**
     * Validates the settings and builds the client.
     *
     * @return the client
     * @throws IllegalArgumentException if the name is blank, a duration is out of range ({@code
     *     attemptTimeout} above {@code totalTimeout}, say), {@code maxAttempts} or {@code
     *     maxAuthorities} is below 1, or the hedging percentile is not in (0, 100)
     * @throws NullPointerException if the name or any setting given is null
     */
    public ResilientHttpClient build() {
      Checks.notNull(name, "name");
      Checks.require(!name.isBlank(), "name must not be blank, was '" + name + "'");
      if (httpClientSet) {
        Checks.notNull(httpClient, "httpClient");
      }
      Checks.positive(totalTimeout, "totalTimeout");
      Checks.positive(attemptTimeout, "attemptTimeout");
      Checks.require(
          attemptTimeout.compareTo(totalTimeout) <= 0,
          "attemptTimeout must be at most totalTimeout ("
              + totalTimeout
              + "), was "
              + attemptTimeout);
      Checks.atLeast(maxAttempts, 1, "maxAttempts");
      if (backoff == null) {
        backoff =
            Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10))
                .jitter(Jitter.full())
                .build();
      }
      Checks.nonNegative(maxRetryAfter, "maxRetryAfter");
      Checks.atLeast(maxAuthorities, 1, "maxAuthorities");
      if (breakerFactorySet) {
        Checks.notNull(breakerFactory, "circuitBreakerPerAuthority");
      }
      if (bulkheadFactorySet) {
        Checks.notNull(bulkheadFactory, "bulkheadPerAuthority");
      }
      if (rateLimiterSet) {
        Checks.notNull(rateLimiter, "rateLimitPerAuthority");
      }
      if (hedgeDelaySet) {
        Checks.positive(hedgeDelay, "hedgeDelay");
        if (!Double.isNaN(hedgePercentile)) {
          Checks.require(
              hedgePercentile > 0 && hedgePercentile < 100,
              "hedgePercentile must be in (0, 100), was " + hedgePercentile);
        }
      }
      Checks.notNull(classifier, "classifier");
      Checks.notNull(idempotentIf, "idempotentIf");
      Checks.notNull(timeSource, "timeSource");
      Checks.notNull(clock, "clock");
      Checks.notNull(propagator, "contextPropagator");
      return new ResilientHttpClient(this);
    }
  }
}
