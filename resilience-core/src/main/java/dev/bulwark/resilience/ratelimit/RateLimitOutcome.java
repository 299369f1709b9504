package dev.bulwark.resilience.ratelimit;

/**
 * Whether a {@link RateLimiter} or a {@link KeyedRateLimiter} granted permits, as their {@code
 * callCounts()} count it (one per request, whatever the permits asked).
 */
public enum RateLimitOutcome {
  /** The permits were granted (at once or after a wait). */
  PERMITTED,
  /**
   * The permits would not be ready within the caller's maximum wait, or the waiting thread was
   * interrupted.
   */
  REFUSED
}
