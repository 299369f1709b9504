package dev.bulwark.resilience.bulkhead;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.CallCounts;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.PermitPolicy;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Chain;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.PipelineStep;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Bounds how many calls run at once against one dependency, so that a slow dependency ties up at
 * most that many threads.
 *
 * <pre>{@code
 * Bulkhead bulkhead = Bulkhead.builder("reports")
 *     .maxConcurrentCalls(10)
 *     .maxWait(Duration.ofMillis(50))   // queue up to 50 ms for a permit; default 0: refuse at once
 *     .build();
 * Report report = bulkhead.call(() -> reports.render(id));   // BulkheadFullException if full
 * }</pre>
 *
 * <p>The semantics and defaults are those of resilience4j's {@code SemaphoreBulkhead}: 25
 * concurrent calls and no wait. Threads that wait queue fairly: they get permits in the order they
 * arrived, and a newcomer never takes a permit while others are queued. A waiting thread that is
 * interrupted stops waiting at once, gets a {@link java.util.concurrent.CancellationException} (as
 * an interrupted {@code Hedge} caller does; not a {@link BulkheadFullException}, since the bulkhead
 * did not refuse it) and has its interrupt status set again.
 *
 * <p>A call's permit is returned however the call ends (a result, an exception, an error). For work
 * that is not one call, {@link #acquirePermit()} hands out a {@link Permit} whose {@code close()}
 * is idempotent.
 *
 * <p>The path of a call that finds a free permit and nobody queued takes no lock and allocates
 * nothing: one compare-and-set to take the permit and one to return it. Only a call that must wait
 * takes the lock.
 */
public final class Bulkhead extends PipelineStep
    implements PermitPolicy, EventSource<BulkheadEvent> {

  /**
   * The configuration of a bulkhead, as built.
   *
   * @param maxConcurrentCalls how many calls may run at once
   * @param maxWait how long a call may wait for a permit; zero refuses at once
   */
  public record Config(int maxConcurrentCalls, Duration maxWait) {}

  private final String name;
  private final Config config;
  private final TimeSource time;
  private final PermitGate gate;
  private final Admission admission;
  private final Admission.Completion completion = this::complete;

  private Bulkhead(Builder b) {
    this.name = b.name;
    this.config = new Config(b.maxConcurrentCalls, b.maxWait);
    this.time = b.timeSource;
    this.gate = new PermitGate(b.maxConcurrentCalls, time);
    this.admission = new Admission(name, gate, time, b.maxWait, 0);
  }

  /**
   * Starts a bulkhead with resilience4j's defaults: 25 concurrent calls, no wait.
   *
   * @param name the bulkhead's name, for refusals, events and metrics
   * @return a builder; {@link Builder#build()} validates every setting, the name included
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Returns a bulkhead with the defaults: 25 concurrent calls, no wait.
   *
   * @param name the bulkhead's name
   * @return the bulkhead
   * @throws NullPointerException if {@code name} is null
   */
  public static Bulkhead ofDefaults(String name) {
    return builder(name).build();
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
   * Returns how many permits are free right now.
   *
   * @return {@code maxConcurrentCalls} minus the calls in flight, zero or more
   */
  public int availablePermits() {
    return gate.available();
  }

  /**
   * Returns how many threads are queued for a permit right now.
   *
   * @return the number of waiting threads
   */
  public int queuedCalls() {
    return gate.queued();
  }

  /**
   * Runs {@code call} with a permit, waiting up to {@link Config#maxWait()} for one.
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
    admission.acquire();
    boolean timed = !admission.listeners.isEmpty();
    long start = timed ? time.nanoTime() : 0L;
    try {
      return rest.proceed(call);
    } finally {
      gate.release();
      admission.finished(start, timed);
    }
  }

  /**
   * Takes a permit for work that is not one call, waiting up to {@link Config#maxWait()} for one.
   * Return it with {@link Permit#close()} (or {@code onSuccess}/{@code onFailure}, which the
   * bulkhead treats alike); returning it twice is harmless.
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
    gate.release();
    admission.finished(startNanos, true);
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
    return "Bulkhead[" + name + ", " + gate + "]";
  }

  /** Builds a {@link Bulkhead}; {@link #build()} validates every setting. */
  public static final class Builder {
    private final String name;
    private int maxConcurrentCalls = 25;
    private Duration maxWait = Duration.ZERO;
    private TimeSource timeSource = TimeSource.system();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets how many calls may run at once (default 25).
     *
     * @param maxConcurrentCalls at least 1
     * @return this builder
     */
    public Builder maxConcurrentCalls(int maxConcurrentCalls) {
      this.maxConcurrentCalls = maxConcurrentCalls;
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
     * Sets the time source that times waits and permits (default {@link TimeSource#system()}).
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
     * @throws IllegalArgumentException if the name is blank, {@code maxConcurrentCalls} is less
     *     than 1 or {@code maxWait} is negative
     * @throws NullPointerException if the name, {@code maxWait} or {@code timeSource} is null
     */
    public Bulkhead build() {
      Checks.name(name);
      Checks.atLeast(maxConcurrentCalls, 1, "maxConcurrentCalls");
      Checks.nonNegative(maxWait, "maxWait");
      Checks.notNull(timeSource, "timeSource");
      return new Bulkhead(this);
    }
  }
}
