package dev.bulwark.resilience.timeout;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.CallCounts;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Chain;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Exceptions;
import dev.bulwark.resilience.internal.Listeners;
import dev.bulwark.resilience.internal.OutcomeCounter;
import dev.bulwark.resilience.internal.PipelineStep;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Bounds a synchronous call, run on the caller's own thread, by a deadline.
 *
 * <pre>{@code
 * Timeout timeout = Timeout.builder("quotes").timeout(Duration.ofSeconds(2)).build();
 * Quote quote = timeout.call(() -> upstream.fetchQuote(symbol));
 * }</pre>
 *
 * <p>When the deadline passes, the caller's thread is interrupted and, once the call gives control
 * back, {@link TimeoutExceededException} is thrown. The interrupt that the timeout caused never
 * leaks: it is cleared before the exception is thrown. An interrupt that was already pending when
 * the deadline passed (the caller's own, or another thread's) is left in place, and the timeout
 * then does not interrupt at all. One case cannot be told apart: an interrupt from elsewhere that
 * arrives after the timeout's own, while the call is unwinding from it, merges with it and is
 * cleared too.
 *
 * <p><b>The trade-off of running on the caller's thread.</b> The call runs where it was made, with
 * its thread-locals, its transaction and its stack, and no thread is started for it; the price is
 * that the timeout can only <em>ask</em> the call to stop, by interrupting it. Blocking JDK
 * operations (sleeps, locks, queues, socket and channel I/O on virtual threads) answer at once. A
 * call that ignores interruption (a busy loop, a library that swallows the interrupt) gives the
 * caller control back only when it returns on its own; it still counts as timed out, its result is
 * dropped and {@link TimeoutExceededException} is thrown. If the caller must regain control at the
 * deadline whatever the call does, run the call on another thread instead (for example as a {@code
 * FanOut} of one call, with a cancel grace of zero), at the cost of a thread per call and of the
 * call's thread-locals.
 *
 * <p>Inside the call, {@link Deadline#current()} returns the deadline so that nested code can bound
 * its own waits; a timeout nested in another takes the earlier deadline of the two. If the outer
 * timeout's deadline is the earlier one and it is enforced on the same thread, the inner timeout
 * leaves the enforcing to it, and it is the outer one that reports the timeout. A call that starts
 * after its inherited deadline has passed is not run: it fails at once with {@link
 * TimeoutExceededException}.
 *
 * <p>The call's own exceptions pass through unchanged, checked ones included. No thread is started
 * per call: one watchdog thread per Timeout (virtual, started on demand, ended after a second with
 * no call in flight) interrupts the calls whose deadline has passed, and the success path takes no
 * lock and allocates one small object.
 */
public final class Timeout extends PipelineStep implements Policy, EventSource<TimeoutEvent> {

  /**
   * The configuration of a timeout, as built.
   *
   * @param timeout the most time a call is given
   */
  public record Config(Duration timeout) {}

  private final String name;
  private final Config config;
  private final long timeoutNanos;
  private final TimeSource time;
  private final Watchdog watchdog;
  private final Listeners<TimeoutEvent> listeners;
  private final OutcomeCounter<TimeoutOutcome> counts = new OutcomeCounter<>(TimeoutOutcome.class);

  private Timeout(Builder b) {
    this.name = b.name;
    this.config = new Config(b.timeout);
    this.timeoutNanos = Durations.saturatedNanos(b.timeout);
    this.time = b.timeSource;
    this.watchdog = new Watchdog("bulwark-timeout-" + b.name, b.timeSource, timeoutNanos);
    this.listeners = new Listeners<>("timeout '" + b.name + "'");
  }

  /**
   * Starts a timeout builder. The timeout itself must be set.
   *
   * @param name the policy's name, carried by its exceptions and events
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
   * Returns this timeout's configuration.
   *
   * @return the configuration as built
   */
  public Config config() {
    return config;
  }

  /**
   * Returns the running totals of this timeout's calls by outcome. They count only once {@link
   * CallCounts#start() started} (a metrics binding starts them).
   *
   * @return the counts
   */
  public CallCounts<TimeoutOutcome> callCounts() {
    return counts;
  }

  @Override
  public Subscription subscribe(Consumer<? super TimeoutEvent> listener) {
    return listeners.subscribe(listener);
  }

  /**
   * Runs {@code call} on the calling thread, interrupting it if it runs past the deadline.
   *
   * @throws TimeoutExceededException if the deadline passed before the call gave control back, or
   *     had passed before it started (an inherited deadline); the call's result, if any, is dropped
   * @throws X the call's own failure, unchanged, if it came before the deadline
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
    Thread me = Thread.currentThread();
    long start = time.nanoTime();
    long deadline = start + timeoutNanos;
    boolean inherited = false;
    Deadline outer = Deadline.currentOrNull();
    if (outer != null && outer.timeSource() == time && outer.nanoTime() - deadline <= 0) {
      deadline = outer.nanoTime();
      inherited = true;
    }
    if (deadline - start <= 0) {
      throw timedOut(start, deadline, true, null);
    }
    if (inherited
        && outer instanceof WatchedDeadline w
        && w.thread == me
        && w.state() != WatchedDeadline.DONE) {
      // An enclosing Timeout call on this thread, still running, enforces the earlier deadline.
      return callEnforcedByOuter(rest, call, start);
    }
    WatchedDeadline node = new WatchedDeadline(time, deadline, me);
    Deadline previous = Deadline.enter(node);
    T result = null;
    Throwable failure = null;
    try {
      watchdog.register(node);
      result = rest.proceed(call);
    } catch (Throwable t) {
      failure = t;
    } finally {
      Deadline.restore(previous);
    }
    boolean inTime = node.finish();
    if (!inTime) {
      node.clearOurInterrupt();
    }
    if (node.segment != null) {
      watchdog.deregister(node);
    }
    if (inTime) {
      counts.increment(failure == null ? TimeoutOutcome.SUCCESS : TimeoutOutcome.FAILURE);
      if (!listeners.isEmpty()) {
        publishOutcome(start, failure);
      }
      if (failure != null) {
        throw Exceptions.<X>rethrow(failure);
      }
      return result;
    }
    if (failure instanceof VirtualMachineError vme) {
      throw vme;
    }
    throw timedOut(start, deadline, false, failure);
  }

  private <T, X extends Exception> T callEnforcedByOuter(Chain rest, Call<T, X> call, long start)
      throws X {
    try {
      T result = rest.proceed(call);
      counts.increment(TimeoutOutcome.SUCCESS);
      if (!listeners.isEmpty()) {
        publishOutcome(start, null);
      }
      return result;
    } catch (Throwable t) {
      counts.increment(TimeoutOutcome.FAILURE);
      if (!listeners.isEmpty()) {
        publishOutcome(start, t);
      }
      throw t;
    }
  }

  private void publishOutcome(long start, Throwable failure) {
    Duration elapsed = Duration.ofNanos(time.nanoTime() - start);
    listeners.publish(
        failure == null
            ? new TimeoutEvent.Succeeded(name, elapsed)
            : new TimeoutEvent.Failed(name, elapsed, failure));
  }

  private TimeoutExceededException timedOut(
      long start, long deadline, boolean beforeStart, Throwable failure) {
    long elapsedNanos = time.nanoTime() - start;
    long givenNanos = deadline - start;
    Duration given =
        givenNanos == timeoutNanos ? config.timeout : Duration.ofNanos(Math.max(0, givenNanos));
    String message;
    if (beforeStart) {
      message =
          "timeout '"
              + name
              + "' exceeded: the inherited deadline had passed "
              + Durations.formatNanos(-givenNanos)
              + " before the call started, so it was not run";
    } else {
      message =
          "timeout '"
              + name
              + "' of "
              + Durations.format(config.timeout)
              + " exceeded: the call was given "
              + Durations.formatNanos(givenNanos)
              + (givenNanos == timeoutNanos ? "" : " (an earlier deadline inherited from outside)")
              + " and gave control back after "
              + Durations.formatNanos(elapsedNanos)
              + (failure == null ? "; it ignored the interrupt, and its result was dropped" : "");
    }
    counts.increment(TimeoutOutcome.TIMEOUT);
    if (!listeners.isEmpty()) {
      listeners.publish(new TimeoutEvent.TimedOut(name, Duration.ofNanos(elapsedNanos), given));
    }
    return new TimeoutExceededException(name, given, message, failure);
  }

  /** For tests: the watchdog's thread, or null while none runs. */
  Thread watchdogThread() {
    return watchdog.thread();
  }

  @Override
  public String toString() {
    return "Timeout[" + name + ", " + Durations.format(config.timeout) + "]";
  }

  /** Builds a {@link Timeout}; {@link #build()} validates every setting. */
  public static final class Builder {
    private final String name;
    private Duration timeout;
    private boolean timeoutSet;
    private TimeSource timeSource = TimeSource.system();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets the most time a call is given (required).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      this.timeoutSet = true;
      return this;
    }

    /**
     * Sets the time source that measures the deadline and on which the watchdog waits (default
     * {@link TimeSource#system()}). With a {@link dev.bulwark.resilience.ManualTimeSource} the
     * watchdog counts as one waiter while it runs.
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Validates the settings and builds the timeout.
     *
     * @return the timeout
     * @throws IllegalStateException if {@code timeout} was not set ({@code timeout is required: set
     *     it with .timeout(Duration)})
     * @throws IllegalArgumentException if the name is blank, or {@code timeout} is zero or negative
     * @throws NullPointerException if the name, {@code timeout} or {@code timeSource} is null
     */
    public Timeout build() {
      Checks.name(name);
      Checks.required(timeoutSet, "timeout", ".timeout(Duration)");
      Checks.positive(timeout, "timeout");
      Checks.notNull(timeSource, "timeSource");
      return new Timeout(this);
    }
  }
}
