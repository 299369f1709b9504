package dev.bulwark.resilience.timeout;

/** How a call through a {@link Timeout} ended, as its {@link Timeout#callCounts()} count it. */
public enum TimeoutOutcome {
  /** The call returned before its deadline. */
  SUCCESS,
  /** The call threw before its deadline. */
  FAILURE,
  /** The deadline passed and the call was interrupted. */
  TIMEOUT
}
