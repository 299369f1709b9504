package dev.bulwark.resilience.fallback;

/** How a call through a {@link Fallback} ended, as its {@link Fallback#callCounts()} count it. */
public enum FallbackOutcome {
  /** The call succeeded; no fallback was needed. */
  SUCCESS,
  /** The call failed with a handled failure and the fallback answered instead. */
  FALLBACK,
  /** The call failed with a failure the fallback does not handle; it was passed on. */
  FAILURE
}
