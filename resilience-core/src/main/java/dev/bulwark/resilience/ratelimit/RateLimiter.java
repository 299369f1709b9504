package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.CallCounts;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Chain;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Listeners;
import dev.bulwark.resilience.internal.PipelineStep;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A token bucket: at most {@code permits} per {@code period} on average, with bursts of up to
 * {@code burst} permits after a quiet spell.
 *
 * <pre>{@code
 * RateLimiter limiter = RateLimiter.builder("api")
 *     .rate(100, Duration.ofSeconds(1))   // refills 100 permits a second, one every 10ms
 *     .burst(20)                          // holds at most 20 (default: the 100 of one period)
 *     .build();
 * if (!limiter.tryAcquire()) { ... }      // never waits
 * limiter.acquire(1, Duration.ofMillis(50)); // waits up to 50ms, or refuses at once
 * Quote q = limiter.call(() -> upstream.fetchQuote(symbol)); // as a Policy: maxWait, default 0
 * }</pre>
 *
 * <p><b>Refusals come at once.</b> A caller whose permits will not be ready within its max wait is
 * refused immediately with a {@link RateLimitedException} whose {@link
 * RateLimitedException#retryAfter() retryAfter()} is exact to the nanosecond of the time source:
 * asking again exactly that much later succeeds if nobody else took the permits meanwhile. (A
 * resilience4j {@code RateLimiter} parks such a caller for its whole timeout before failing.) A
 * caller whose permits will be ready in time reserves them at once and then waits, so concurrent
 * waiters queue behind each other and never oversubscribe the rate.
 *
 * <p>The success path takes no lock and allocates nothing: one read of the time source and one
 * compare-and-set; events are built only while someone listens. The state lives in a {@link
 * RateLimiterStore}, in memory by default; see the {@linkplain dev.bulwark.resilience.ratelimit
 * package documentation} for the algorithm.
 */
public final class RateLimiter extends PipelineStep
    implements Policy, EventSource<RateLimiterEvent> {

  /**
   * The configuration of a rate limiter, as built.
   *
   * @param permits the permits added per period
   * @param period the period over which {@code permits} are added, evenly
   * @param burst the most permits the bucket holds, and so the most that can be taken at once
   * @param maxWait how long {@link RateLimiter#call} waits for a permit before it refuses
   */
  public record Config(int permits, Duration period, int burst, Duration maxWait) {

    /**
     * Returns the time an empty bucket takes to fill up again: {@code burst × period / permits},
     * rounded up to the nanosecond.
     *
     * @return the refill time
     */
    public Duration refillTime() {
      return Gcra.refillTime(permits, period.toNanos(), burst);
    }
  }

  private final Config config;
  private final Engine<String> engine;
  private final Listeners<RateLimiterEvent> listeners;
  private final long maxWaitNanos;

  private RateLimiter(Builder b, Config config) {
    this.config = config;
    this.listeners = new Listeners<>("rate limiter '" + b.name + "'");
    this.maxWaitNanos = Durations.saturatedNanos(config.maxWait);
    this.engine =
        new Engine<>(
            b.name,
            new RateLimiterStore.Limit(b.name, config.permits, config.period, config.burst),
            b.store == null ? new LocalBucket(b.timeSource) : b.store,
            b.timeSource,
            listeners,
            false);
  }

  /**
   * Starts a limiter. Set its {@link Builder#rate(int, Duration) rate}; everything else has a
   * default.
   *
   * @param name the name refusals, events and metrics carry
   * @return a builder; {@link Builder#build()} refuses a null name
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public String name() {
    return engine.name;
  }

  /**
   * Returns this limiter's configuration.
   *
   * @return the configuration as built
   */
  public Config config() {
    return config;
  }

  /**
   * Takes one permit if one is available now; never waits.
   *
   * @return true if the permit was taken
   */
  public boolean tryAcquire() {
    return engine.tryAcquire(engine.name, 1);
  }

  /**
   * Takes {@code permits} permits if they are all available now; never waits, and takes none if it
   * cannot take all.
   *
   * @param permits how many, from 1 to the burst
   * @return true if the permits were taken
   * @throws IllegalArgumentException if {@code permits} is less than 1 or more than the burst (it
   *     could never succeed)
   */
  public boolean tryAcquire(int permits) {
    return engine.tryAcquire(engine.name, permits);
  }

  /**
   * Takes {@code permits} permits if they are all available now and otherwise says exactly when
   * they would be; never waits, and takes none if it cannot take all.
   *
   * <pre>{@code
   * Decision d = limiter.decide(1);
   * if (!d.granted()) {
   *   return tooManyRequests(d.retryAfter());   // e.g. 429 with Retry-After
   * }
   * }</pre>
   *
   * <p>A grant returns the shared {@link Decision#GRANTED} and allocates nothing.
   *
   * @param permits how many, from 1 to the burst
   * @return {@link Decision#GRANTED} if the permits were taken, else a refusal whose {@link
   *     Decision#retryAfter()} is when they would be ready if nobody else took them first
   * @throws IllegalArgumentException if {@code permits} is less than 1 or more than the burst (it
   *     could never succeed)
   */
  public Decision decide(int permits) {
    return Decision.of(engine.decide(engine.name, permits));
  }

  /**
   * Takes {@code permits} permits, waiting for them (through the time source) only if they will be
   * ready within {@code maxWait}; otherwise refuses at once, without waiting at all.
   *
   * <p>Permits that are not ready yet are reserved before the wait, so later callers queue behind
   * this one. If the thread is interrupted while it waits, the reservation is given back to the
   * bucket and the {@link InterruptedException} is thrown. (Only an interrupt that races with the
   * very end of the wait can find the permits already granted; they are then used up.)
   *
   * @param permits how many, from 1 to the burst
   * @param maxWait the longest this caller will wait; zero never waits
   * @throws RateLimitedException if the permits would not be ready within {@code maxWait}; its
   *     {@code retryAfter()} says when they would be
   * @throws InterruptedException if the thread is interrupted before or while it waits; it then
   *     holds no permits
   * @throws IllegalArgumentException if {@code permits} is less than 1 or more than the burst, or
   *     {@code maxWait} is negative
   * @throws NullPointerException if {@code maxWait} is null
   */
  public void acquire(int permits, Duration maxWait) throws InterruptedException {
    engine.acquire(engine.name, permits, maxWait);
  }

  /**
   * Returns how many permits could be taken right now without waiting.
   *
   * @return the permits in the bucket; zero when it is empty or owes permits to waiting callers
   */
  public int availablePermits() {
    return engine.availablePermits(engine.name);
  }

  /**
   * Runs {@code call} once it has a permit, waiting at most the configured {@link
   * Builder#maxWait(Duration) maxWait} (by default not at all).
   *
   * @throws RateLimitedException if no permit is ready within the max wait (at once, without
   *     waiting)
   * @throws java.util.concurrent.CancellationException if the thread is interrupted while it waits
   *     (its interrupt status is then set again, its reservation given back, and the call does not
   *     run)
   */
  @Override
  public <T, X extends Exception> T call(Call<T, X> call) throws X {
    Checks.notNull(call, "call");
    return callAround(Chain.DIRECT, call);
  }

  /** Runs this policy around the rest of a pipeline (see {@link PipelineStep}). */
  @Override
  protected <T, X extends Exception> T callAround(Chain rest, Call<T, X> call) throws X {
    engine.acquireForCall(engine.name, config.maxWait, maxWaitNanos);
    return rest.proceed(call);
  }

  /**
   * Returns the running totals of the requests this limiter granted and refused (one per request,
   * whatever the permits). They count only once {@link CallCounts#start() started} (a metrics
   * binding starts them).
   *
   * @return the counts
   */
  public CallCounts<RateLimitOutcome> callCounts() {
    return engine.counts;
  }

  @Override
  public Subscription subscribe(Consumer<? super RateLimiterEvent> listener) {
    return listeners.subscribe(listener);
  }

  @Override
  public String toString() {
    return "RateLimiter[" + engine.name + ", " + config + "]";
  }

  /** Builds a {@link RateLimiter}; {@link #build()} validates every setting. */
  public static final class Builder {
    private final String name;
    private int permits;
    private Duration period;
    private boolean rateSet;
    private Integer burst;
    private Duration maxWait = Duration.ZERO;
    private TimeSource timeSource = TimeSource.system();
    private RateLimiterStore<String> store;
    private boolean storeSet;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets the rate: {@code permits} per {@code period}, added evenly (100 per second is one every
     * 10 ms). Required.
     *
     * @param permits at least 1
     * @param period positive, at most 365 days
     * @return this builder
     */
    public Builder rate(int permits, Duration period) {
      this.permits = permits;
      this.period = period;
      this.rateSet = true;
      return this;
    }

    /**
     * Sets the most permits the bucket holds: how many can be taken at once after a quiet spell
     * (default: the permits of one period).
     *
     * @param capacity at least 1
     * @return this builder
     */
    public Builder burst(int capacity) {
      this.burst = capacity;
      return this;
    }

    /**
     * Sets how long {@link RateLimiter#call} waits for a permit before it refuses (default zero:
     * refuse at once). {@link RateLimiter#acquire(int, Duration)} takes its own max wait.
     *
     * @param maxWait zero or more
     * @return this builder
     */
    public Builder maxWait(Duration maxWait) {
      this.maxWait = maxWait;
      return this;
    }

    /**
     * Sets the time source (default {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Keeps the bucket in {@code store}, under this limiter's name as the key, instead of in this
     * limiter's memory: the seam for a bucket shared with other limiters or other processes. The
     * store decides on its own clock; this limiter's time source then only times the waits of
     * callers granted permits ahead of time.
     *
     * @param store the store
     * @return this builder
     */
    public Builder store(RateLimiterStore<String> store) {
      this.store = store;
      this.storeSet = true;
      return this;
    }

    /**
     * Validates the settings and builds the limiter.
     *
     * @return the limiter
     * @throws IllegalStateException if no rate was set ({@code rate is required: set it with
     *     .rate(int, Duration)})
     * @throws IllegalArgumentException if the name is blank, or a setting is out of range: rate
     *     permits less than 1, a period that is not positive or longer than 365 days, burst less
     *     than 1, a negative max wait, or a burst whose refill time is too long to represent
     * @throws NullPointerException if the name, period, max wait, time source or a set store is
     *     null
     */
    public RateLimiter build() {
      Config config = validate(name, rateSet, permits, period, burst, maxWait, timeSource);
      if (storeSet) {
        Checks.notNull(store, "store");
      }
      return new RateLimiter(this, config);
    }
  }

  /** Validates the settings shared by both limiters, in the order the bad-config test lists. */
  static Config validate(
      String name,
      boolean rateSet,
      int permits,
      Duration period,
      Integer burst,
      Duration maxWait,
      TimeSource timeSource) {
    Checks.name(name);
    Checks.required(rateSet, "rate", ".rate(int, Duration)");
    Checks.atLeast(permits, 1, "rate permits");
    Checks.positive(period, "rate period");
    Checks.require(
        period.compareTo(MAX_PERIOD) <= 0,
        "rate period must be at most 365 days, was " + Durations.format(period));
    int capacity = burst == null ? permits : burst;
    Checks.atLeast(capacity, 1, "burst");
    Checks.nonNegative(maxWait, "maxWait");
    Checks.notNull(timeSource, "timeSource");
    Checks.require(
        Gcra.fits(permits, period.toNanos(), capacity),
        "burst "
            + capacity
            + " at "
            + permits
            + " per "
            + Durations.format(period)
            + " takes too long to refill to be represented exactly; lower the burst or raise the"
            + " rate");
    return new Config(permits, period, capacity, maxWait);
  }

  private static final Duration MAX_PERIOD = Duration.ofDays(365);
}
