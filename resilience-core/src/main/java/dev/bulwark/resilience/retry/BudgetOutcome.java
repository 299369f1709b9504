package dev.bulwark.resilience.retry;

/**
 * Whether a {@link RetryBudget} granted a retry, as its {@link RetryBudget#callCounts()} count it.
 */
public enum BudgetOutcome {
  /** The budget had a retry left and gave it. */
  GRANTED,
  /** The budget was spent; the retry or hedge did not happen. */
  DENIED
}
