package dev.bulwark.resilience.retry;

/**
 * How a call through a {@link Retry} ended, as its {@link Retry#callCounts()} count it
 * (resilience4j's four kinds).
 */
public enum RetryOutcome {
  /** The first attempt succeeded. */
  SUCCESS_WITHOUT_RETRY,
  /** A later attempt succeeded. */
  SUCCESS_WITH_RETRY,
  /** The first attempt failed and the retry did not try again (not retryable, budget, deadline). */
  FAILURE_WITHOUT_RETRY,
  /** Every attempt failed and the retry gave up after retrying. */
  FAILURE_WITH_RETRY
}
