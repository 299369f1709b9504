package dev.bulwark.resilience.retry;

import java.time.Duration;

/**
 * What a {@link Retry} reports to its listeners.
 *
 * <p>Every call ends with exactly one {@link Succeeded} or {@link Failed}; before that, each wait
 * between attempts is announced by a {@link Retrying}, and a retry that the {@link RetryBudget}
 * denies is announced by a {@link BudgetExhausted} (followed by {@code Failed} with reason {@link
 * Failed.Reason#BUDGET_EXHAUSTED}).
 *
 * <p>Where an event carries a {@code failure}, it is null when the attempt did not throw but
 * returned a result that the retry's {@linkplain Retry.Builder#retryOnResult result predicate}
 * rejected.
 */
public sealed interface RetryEvent {

  /**
   * Returns the name of the retry that published the event.
   *
   * @return the retry's name
   */
  String policyName();

  /**
   * An attempt failed and the retry will wait {@code delay}, then try again.
   *
   * @param policyName the retry's name
   * @param attempt the attempt that failed, from 1
   * @param delay the wait before the next attempt
   * @param failure what the attempt threw, or null if its result was rejected
   */
  record Retrying(String policyName, int attempt, Duration delay, Throwable failure)
      implements RetryEvent {}

  /**
   * The call succeeded.
   *
   * @param policyName the retry's name
   * @param attempts how many attempts it took; 1 means it succeeded without a retry
   */
  record Succeeded(String policyName, int attempts) implements RetryEvent {}

  /**
   * The call failed for good: the retry stopped and passed the last outcome on to its caller.
   *
   * @param policyName the retry's name
   * @param attempts how many attempts were made
   * @param failure the last failure, rethrown to the caller, or null if the last attempt returned a
   *     rejected result (which the caller then receives)
   * @param reason why the retry stopped
   */
  record Failed(String policyName, int attempts, Throwable failure, Reason reason)
      implements RetryEvent {

    /** Why a retry stopped without success. */
    public enum Reason {
      /**
       * The failure is not one the retry retries: an {@link Error}, an {@link
       * InterruptedException}, or an exception that {@code retryOn} or {@code retryIf} filters out.
       */
      NOT_RETRYABLE,
      /** All {@code maxAttempts} attempts were made. */
      ATTEMPTS_EXHAUSTED,
      /**
       * The next attempt could not start before the retry's deadline (its {@code maxDuration} or an
       * enclosing timeout's deadline), or a refusal's {@code retryAfter} lay beyond it.
       */
      DEADLINE,
      /** The {@link RetryBudget} denied the retry. */
      BUDGET_EXHAUSTED,
      /** The thread was interrupted before or while it waited between attempts. */
      INTERRUPTED,
      /**
       * The failure was a refusal whose {@code retryAfter} is longer than the retry's {@code
       * maxRetryAfter}: waiting it out would defeat failing fast (an open circuit breaker).
       */
      RETRY_AFTER_TOO_LONG
    }
  }

  /**
   * The {@link RetryBudget} denied a retry, so the retry stopped after {@code attempt} attempts.
   *
   * @param policyName the retry's name
   * @param attempt the attempt that failed and was not retried, from 1
   * @param failure what the attempt threw, or null if its result was rejected
   */
  record BudgetExhausted(String policyName, int attempt, Throwable failure) implements RetryEvent {}
}
