package dev.bulwark.resilience.circuitbreaker;

/**
 * How a call or permit of a {@link CircuitBreaker} ended, as its {@link
 * CircuitBreaker#callCounts()} count it.
 */
public enum BreakerOutcome {
  /** The call succeeded, or failed with an exception the breaker does not record. */
  SUCCESS,
  /** The call failed and the failure was recorded. */
  FAILURE,
  /** The call failed with an exception the breaker ignores. */
  IGNORED,
  /**
   * The breaker refused the call (OPEN, FORCED_OPEN, or HALF_OPEN with every trial permit taken).
   */
  REFUSED
}
