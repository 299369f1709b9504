package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;

/**
 * A rate limiter's answer to a caller that will not wait: granted, or refused with the exact time
 * until the permits would be ready. Returned by {@link RateLimiter#decide(int)} and {@link
 * KeyedRateLimiter#decide(Object, int)}; every grant is the one shared {@link #GRANTED}, so the
 * success path allocates nothing.
 *
 * @param retryAfter zero for a grant; otherwise how long until the permits would be ready, to the
 *     nanosecond of the deciding clock, if nobody else takes them first
 */
public record Decision(Duration retryAfter) {

  /** The permits were taken. */
  public static final Decision GRANTED = new Decision(Duration.ZERO);

  /**
   * Validates the wait.
   *
   * @throws NullPointerException if {@code retryAfter} is null
   * @throws IllegalArgumentException if {@code retryAfter} is negative
   */
  public Decision {
    Checks.nonNegative(retryAfter, "retryAfter");
  }

  /** Returns {@link #GRANTED} for zero, else a refusal of {@code retryAfterNanos}. */
  static Decision of(long retryAfterNanos) {
    return retryAfterNanos == 0 ? GRANTED : new Decision(Duration.ofNanos(retryAfterNanos));
  }

  /**
   * Returns whether the permits were taken.
   *
   * @return true for a grant, false for a refusal
   */
  public boolean granted() {
    return retryAfter.isZero();
  }

  @Override
  public String toString() {
    return granted()
        ? "Decision[granted]"
        : "Decision[refused, retry after " + Durations.format(retryAfter) + "]";
  }
}
