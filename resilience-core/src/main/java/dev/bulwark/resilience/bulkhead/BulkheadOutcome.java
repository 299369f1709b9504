package dev.bulwark.resilience.bulkhead;

/**
 * Whether a {@link Bulkhead} or an {@link AdaptiveBulkhead} let a call or permit through, as their
 * {@code callCounts()} count it.
 */
public enum BulkheadOutcome {
  /** A permit was given. */
  PERMITTED,
  /** No permit came free within the maximum wait, or the waiting thread was interrupted. */
  REFUSED
}
