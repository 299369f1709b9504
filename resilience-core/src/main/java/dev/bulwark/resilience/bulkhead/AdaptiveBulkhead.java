package dev.bulwark.resilience.bulkhead;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.CallCounts;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.PermitPolicy;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Chain;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Exceptions;
import dev.bulwark.resilience.internal.PipelineStep;
import dev.bulwark.resilience.timeout.TimeoutExceededException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A bulkhead whose concurrency limit adapts to the dependency: it rises while calls stay fast and
 * falls when they slow down or are dropped, between a minimum and a maximum. After Netflix's
 * concurrency-limits; resilience4j has no equivalent (its issue #201).
 *
 * <pre>{@code
 * AdaptiveBulkhead bulkhead = AdaptiveBulkhead.builder("search")
 *     .algorithm(LimitAlgorithm.aimd().backoffRatio(0.9).build())
 *     .minLimit(4).initialLimit(20).maxLimit(200)
 *     .timeout(Duration.ofMillis(250))     // a call slower than this counts as a drop
 *     .build();
 * Results results = bulkhead.call(() -> search.query(q));   // BulkheadFullException at the limit
 * }</pre>
 *
 * <p>Every call that finishes is a sample for the {@link LimitAlgorithm}: its start, its duration
 * (measured with the bulkhead's time source), the calls in flight when it started, and whether it
 * was <em>dropped</em>: slower than the {@linkplain Builder#timeout(Duration) timeout}, or failed
 * with an exception the {@linkplain Builder#dropWhen(Predicate) drop predicate} accepts (by default
 * a {@link RejectedException}, something further down refused it, or a {@link
 * TimeoutExceededException}, a timeout further down gave up on it). A call that fails in another
 * way within the timeout says nothing about capacity and is not sampled, nor is a {@link Permit}
 * closed without an outcome.
 *
 * <p>Taking a permit is lock-free, as in {@link Bulkhead}, and waiting threads (with a {@linkplain
 * Builder#maxWait(Duration) maximum wait}) queue fairly. Feeding a sample to the algorithm takes a
 * short lock, since algorithms are plain state machines; a change of limit is published as a {@link
 * BulkheadEvent.LimitChanged}.
 */
public final class AdaptiveBulkhead extends PipelineStep
    implements PermitPolicy, EventSource<BulkheadEvent> {

  /**
   * The configuration of an adaptive bulkhead, as built.
   *
   * @param algorithm how the limit moves
   * @param initialLimit the limit before the first sample
   * @param minLimit the lowest the limit goes
   * @param maxLimit the highest the limit goes
   * @param timeout a call slower than this counts as a drop
   * @param maxWait how long a call may wait for a permit; zero refuses at once
   * @param dropWhen which failures count as drops
   */
  public record Config(
      LimitAlgorithm algorithm,
      int initialLimit,
      int minLimit,
      int maxLimit,
      Duration timeout,
      Duration maxWait,
      Predicate<? super Throwable> dropWhen) {}

  private final String name;
  private final Config config;
  private final TimeSource time;
  private final PermitGate gate;
  private final Admission admission;
  private final long timeoutNanos;
  private final Predicate<? super Throwable> dropWhen;
  private final ReentrantLock sampleLock = new ReentrantLock();
  private final LimitAlgorithm.Limit limit; // guarded by sampleLock
  private final Admission.Completion completion = this::complete;

  private AdaptiveBulkhead(Builder b) {
    this.name = b.name;
    this.config =
        new Config(
            b.algorithm, b.initialLimit, b.minLimit, b.maxLimit, b.timeout, b.maxWait, b.dropWhen);
    this.time = b.timeSource;
    this.gate = new PermitGate(b.initialLimit, time);
    this.admission = new Admission(name, gate, time, b.maxWait, b.maxLimit);
    this.timeoutNanos = Durations.saturatedNanos(b.timeout);
    this.dropWhen = b.dropWhen;
    this.limit = b.algorithm.start(b.initialLimit, b.minLimit, b.maxLimit);
  }

  /**
   * Starts an adaptive bulkhead with the defaults: the {@linkplain LimitAlgorithm#capacity()
   * capacity} algorithm, limits 1 to 200 starting at 20, a timeout of 5 s, no wait, and refusals
   * counted as drops.
   *
   * @param name the bulkhead's name, for refusals, events and metrics
   * @return a builder; {@link Builder#build()} validates every setting, the name included
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Returns this bulkhead's configuration.
   *
   * @return the configuration as built
   */
  public Config config() {
    return config;
  }

  /**
   * Returns the current concurrency limit.
   *
   * @return the limit, within [minLimit, maxLimit]
   */
  public int limit() {
    return gate.limit();
  }

  /**
   * Returns how many calls (and permits) are in flight.
   *
   * @return the calls in flight
   */
  public int inFlight() {
    return gate.inFlight();
  }

  /**
   * Returns how many permits are free right now.
   *
   * @return the limit minus the calls in flight, zero or more
   */
  public int availablePermits() {
    return gate.available();
  }

  /**
   * Runs {@code call} with a permit and feeds its duration and outcome to the algorithm.
   *
   * @throws BulkheadFullException if no permit came free within the maximum wait
   * @throws java.util.concurrent.CancellationException if the thread was interrupted while it
   *     waited for a permit (its interrupt status is then set again)
   * @throws NullPointerException if {@code call} is null
   */
  @Override
  public <T, X extends Exception> T call(Call<T, X> call) throws X {
    Checks.notNull(call, "call");
    return callAround(Chain.DIRECT, call);
  }

  /** Runs this policy around the rest of a pipeline (see {@link PipelineStep}). */
  @Override
  protected <T, X extends Exception> T callAround(Chain rest, Call<T, X> call) throws X {
    int inFlight = admission.acquire();
    long start = time.nanoTime();
    T result;
    try {
      result = rest.proceed(call);
    } catch (Throwable failure) {
      complete(start, inFlight, failure, false);
      throw Exceptions.<X>rethrow(failure);
    }
    complete(start, inFlight, null, false);
    return result;
  }

  /**
   * Takes a permit for work that is not one call. Report the outcome with {@link
   * Permit#onSuccess()} or {@link Permit#onFailure(Throwable)} so the algorithm learns from it;
   * {@link Permit#close()} alone returns the permit without a sample. Returning it twice is
   * harmless.
   *
   * @throws BulkheadFullException if no permit came free within the maximum wait
   * @throws java.util.concurrent.CancellationException if the thread was interrupted while it
   *     waited for a permit (its interrupt status is then set again)
   */
  @Override
  public Permit acquirePermit() {
    int inFlight = admission.acquire();
    return new GatePermit(completion, time, inFlight);
  }

  private void complete(long startNanos, int inFlight, Throwable failure, boolean abandoned) {
    long rtt = time.nanoTime() - startNanos;
    int oldLimit = 0;
    int newLimit = 0;
    boolean released = false;
    try {
      if (!abandoned) {
        boolean dropped = rtt > timeoutNanos || (failure != null && dropWhen.test(failure));
        if (failure == null || dropped) {
          sampleLock.lock();
          try {
            oldLimit = limit.current();
            newLimit = bounded(limit.onSample(startNanos, rtt, inFlight, dropped));
            // The new limit and this permit's return are one atomic step on the gate, taken in the
            // order the samples were fed, so no acquirer judges by the new limit while this call
            // still counts (it would be refused though there was room before and after). Also
            // when the limit is unchanged: a plain release after the lock could land after a later
            // sample's limit change (AdaptiveBulkheadLincheckTest fails that variant).
            gate.release(newLimit);
            released = true;
          } finally {
            sampleLock.unlock();
          }
        }
      }
    } finally {
      if (!released) {
        gate.release();
      }
      if (newLimit != oldLimit && !admission.listeners.isEmpty()) {
        admission.listeners.publish(new BulkheadEvent.LimitChanged(name, oldLimit, newLimit));
      }
      admission.finishedAfter(rtt);
    }
  }

  private int bounded(int proposed) {
    return Math.max(config.minLimit(), Math.min(config.maxLimit(), proposed));
  }

  /**
   * Returns the running totals of the permits this bulkhead gave and refused. They count only once
   * {@link CallCounts#start() started} (a metrics binding starts them).
   *
   * @return the counts
   */
  public CallCounts<BulkheadOutcome> callCounts() {
    return admission.counts;
  }

  @Override
  public Subscription subscribe(Consumer<? super BulkheadEvent> listener) {
    return admission.listeners.subscribe(listener);
  }

  @Override
  public String toString() {
    return "AdaptiveBulkhead[" + name + ", " + gate + "]";
  }

  /** Builds an {@link AdaptiveBulkhead}; {@link #build()} validates every setting. */
  public static final class Builder {
    private final String name;
    private LimitAlgorithm algorithm = LimitAlgorithm.capacity().build();
    private int initialLimit = 20;
    private int minLimit = 1;
    private int maxLimit = 200;
    private Duration timeout = Duration.ofSeconds(5);
    private Duration maxWait = Duration.ZERO;
    private Predicate<? super Throwable> dropWhen =
        failure ->
            failure instanceof RejectedException || failure instanceof TimeoutExceededException;
    private TimeSource timeSource = TimeSource.system();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets how the limit moves (default {@link LimitAlgorithm#capacity()} with its defaults, which
     * finds the dependency's capacity from latency alone; {@link LimitAlgorithm#aimd()} needs
     * drops, {@link LimitAlgorithm#gradient()} settles about half as far again above the capacity).
     *
     * @param algorithm the algorithm, e.g. {@code LimitAlgorithm.aimd().build()}
     * @return this builder
     */
    public Builder algorithm(LimitAlgorithm algorithm) {
      this.algorithm = algorithm;
      return this;
    }

    /**
     * Sets the limit before the first sample (default 20).
     *
     * @param initialLimit within [minLimit, maxLimit]
     * @return this builder
     */
    public Builder initialLimit(int initialLimit) {
      this.initialLimit = initialLimit;
      return this;
    }

    /**
     * Sets the lowest the limit may go (default 1).
     *
     * @param minLimit at least 1
     * @return this builder
     */
    public Builder minLimit(int minLimit) {
      this.minLimit = minLimit;
      return this;
    }

    /**
     * Sets the highest the limit may go (default 200).
     *
     * @param maxLimit at least minLimit
     * @return this builder
     */
    public Builder maxLimit(int maxLimit) {
      this.maxLimit = maxLimit;
      return this;
    }

    /**
     * Sets the duration beyond which a call counts as a drop, whatever its outcome (default 5 s).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * Sets how long a call may wait in line for a permit (default zero: refuse at once).
     *
     * @param maxWait zero or more
     * @return this builder
     */
    public Builder maxWait(Duration maxWait) {
      this.maxWait = maxWait;
      return this;
    }

    /**
     * Sets which failures count as drops (default: a {@link TimeoutExceededException}, or a {@link
     * RejectedException}, a refusal further down). Add the exception your client throws on a
     * timeout or on HTTP 503.
     *
     * @param dropWhen the predicate
     * @return this builder
     */
    public Builder dropWhen(Predicate<? super Throwable> dropWhen) {
      this.dropWhen = dropWhen;
      return this;
    }

    /**
     * Sets the time source that times calls and waits (default {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Validates the settings and builds the bulkhead.
     *
     * @return the bulkhead
     * @throws IllegalArgumentException if the name is blank, {@code minLimit} is less than 1,
     *     {@code maxLimit} is less than {@code minLimit}, {@code initialLimit} is outside
     *     [minLimit, maxLimit], {@code timeout} is not positive, or {@code maxWait} is negative
     * @throws NullPointerException if the name, {@code algorithm}, {@code timeout}, {@code
     *     maxWait}, {@code dropWhen} or {@code timeSource} is null
     */
    public AdaptiveBulkhead build() {
      Checks.name(name);
      Checks.notNull(algorithm, "algorithm");
      Checks.atLeast(minLimit, 1, "minLimit");
      Checks.require(
          maxLimit >= minLimit,
          "maxLimit must be at least minLimit (" + minLimit + "), was " + maxLimit);
      Checks.require(
          initialLimit >= minLimit && initialLimit <= maxLimit,
          "initialLimit must be in ["
              + minLimit
              + ", "
              + maxLimit
              + "] (minLimit, maxLimit), was "
              + initialLimit);
      Checks.positive(timeout, "timeout");
      Checks.nonNegative(maxWait, "maxWait");
      Checks.notNull(dropWhen, "dropWhen");
      Checks.notNull(timeSource, "timeSource");
      return new AdaptiveBulkhead(this);
    }
  }
}
