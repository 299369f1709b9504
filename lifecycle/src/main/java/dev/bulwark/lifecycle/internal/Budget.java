package dev.bulwark.lifecycle.internal;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;

/**
 * The time a stop may take, read from a time source once: every wait of the stop is the smaller of
 * its own length and what is left. Part of the budget can be owed to work that comes later (the
 * grace periods of the components still to stop): a wait never eats into that.
 *
 * <p>If the thread that runs the stop is interrupted, the budget is spent at once: every later wait
 * is zero (the interrupt is remembered, for the caller to restore). A budget made {@linkplain
 * #yieldingToInterrupt(TimeSource) yielding} instead ends the stop where it is, without an
 * interrupt of the target: for work that an interrupt means to cancel.
 *
 * <p>Not thread-safe: one stop, one thread.
 */
public final class Budget {

  private final TimeSource time;
  private final long start;
  private final long deadline;
  private final boolean yieldToInterrupt;
  private long owed;
  private boolean interrupted;

  private Budget(TimeSource time, long nanos, boolean yieldToInterrupt, boolean interrupted) {
    this.time = time;
    this.start = time.nanoTime();
    long end = start + nanos;
    // a budget too long to end within the range of nanoTime has no end
    this.deadline =
        nanos == Long.MAX_VALUE || ((start ^ end) & (nanos ^ end)) < 0 ? Long.MAX_VALUE : end;
    this.yieldToInterrupt = yieldToInterrupt;
    this.interrupted = interrupted;
  }

  /**
   * Starts a budget of {@code budget} now. Takes (and clears) the calling thread's interrupt: a
   * stop called with its interrupt set skips its waits.
   *
   * @param time the time source
   * @param budget the total time
   * @return the budget
   */
  public static Budget of(TimeSource time, Duration budget) {
    return new Budget(time, Durations.saturatedNanos(budget), false, Thread.interrupted());
  }

  /**
   * Starts a budget with no total, whose stop ends as soon as its thread is interrupted.
   *
   * @param time the time source
   * @return the budget
   */
  public static Budget yieldingToInterrupt(TimeSource time) {
    return new Budget(time, Long.MAX_VALUE, true, false);
  }

  /**
   * Sets how much of what is left is owed to later work, which no wait may take.
   *
   * @param owed the owed time
   */
  public void owe(Duration owed) {
    this.owed = Durations.saturatedNanos(owed);
  }

  /**
   * Returns how long a wait of {@code phase} nanoseconds may take now.
   *
   * @param phase the wait's own length
   * @return the smaller of {@code phase} and what is left (after what is owed), at least zero
   */
  public long left(long phase) {
    if (interrupted) {
      return 0;
    }
    if (deadline == Long.MAX_VALUE) {
      return Math.max(0, phase);
    }
    long end = deadline - owed;
    return Math.max(0, Math.min(phase, end - time.nanoTime()));
  }

  /** Records that the stopping thread was interrupted: the rest of the budget is spent. */
  public void markInterrupted() {
    interrupted = true;
  }

  /**
   * Returns whether the stopping thread was interrupted (before or during the stop).
   *
   * @return whether to restore the interrupt once the stop is over
   */
  public boolean wasInterrupted() {
    return interrupted;
  }

  /**
   * Returns whether the stop ended because its thread was interrupted and the budget yields to it.
   *
   * @return whether the stop gave up
   */
  public boolean gaveUp() {
    return interrupted && yieldToInterrupt;
  }

  /**
   * Returns when the budget started, on its time source.
   *
   * @return the start, in nanoseconds
   */
  public long start() {
    return start;
  }

  /**
   * Returns the time source the budget reads.
   *
   * @return the time source
   */
  public TimeSource timeSource() {
    return time;
  }
}
