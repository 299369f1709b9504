package dev.bulwark.lifecycle.internal;

import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One worker's restart bookkeeping under an on-failure policy: the history that {@link
 * RestartIntensity} decides on, and the backoff sequence, started afresh whenever the window holds
 * no earlier restart. The backoff is given as a supplier of delay sequences so that this package
 * needs nothing of the core's backoff types. Guarded by the worker's lock.
 */
public final class Restarts {

  private final int maxRestarts;
  private final long windowNanos;
  private final Supplier<LongSupplier> freshDelays;
  private List<Long> history = List.of();
  private LongSupplier delays;

  /**
   * Creates the bookkeeping of one worker.
   *
   * @param maxRestarts at most this many restarts...
   * @param windowNanos ...within this many nanoseconds
   * @param freshDelays makes a new backoff sequence; each call of the sequence gives the next delay
   */
  public Restarts(int maxRestarts, long windowNanos, Supplier<LongSupplier> freshDelays) {
    this.maxRestarts = maxRestarts;
    this.windowNanos = windowNanos;
    this.freshDelays = freshDelays;
  }

  /**
   * Decides about a failure at {@code now}.
   *
   * @param now the time of the failure
   * @return the delay before the restart in nanoseconds, or -1 if the worker is beyond its restart
   *     intensity and escalates
   */
  long next(long now) {
    RestartIntensity.Decision d = RestartIntensity.decide(history, now, maxRestarts, windowNanos);
    history = d.history();
    if (!d.restart()) {
      return -1;
    }
    if (d.freshBackoff()) {
      delays = freshDelays.get();
    }
    return delays.getAsLong();
  }
}
