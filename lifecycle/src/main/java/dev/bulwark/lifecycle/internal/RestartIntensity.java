package dev.bulwark.lifecycle.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Erlang/OTP's restart intensity as a pure function of the restart history: a worker may restart if
 * fewer than {@code maxRestarts} of its earlier restarts lie within the last {@code window}. No
 * clock is read; the caller passes the time of the failure.
 */
public final class RestartIntensity {

  private RestartIntensity() {}

  /**
   * What to do about one failure.
   *
   * @param restart whether the worker restarts (false: it is beyond its intensity and escalates)
   * @param history the restart times to keep: those within the window, and this one if it restarts
   * @param freshBackoff whether the backoff sequence starts again (no earlier restart within the
   *     window), so that a worker that fails rarely always waits the first delay
   */
  public record Decision(boolean restart, List<Long> history, boolean freshBackoff) {

    /** Copies the history. */
    public Decision {
      history = List.copyOf(history);
    }
  }

  /**
   * Decides about a failure at {@code now}.
   *
   * @param history the times of the earlier restarts, oldest first
   * @param now the time of the failure, on the same clock
   * @param maxRestarts at most this many restarts...
   * @param windowNanos ...within this many nanoseconds
   * @return the decision and the history to keep
   */
  public static Decision decide(List<Long> history, long now, int maxRestarts, long windowNanos) {
    List<Long> kept = new ArrayList<>(history.size() + 1);
    for (long t : history) {
      if (now - t < windowNanos) {
        kept.add(t);
      }
    }
    if (kept.size() >= maxRestarts) {
      return new Decision(false, kept, false);
    }
    boolean fresh = kept.isEmpty();
    kept.add(now);
    return new Decision(true, kept, fresh);
  }
}
