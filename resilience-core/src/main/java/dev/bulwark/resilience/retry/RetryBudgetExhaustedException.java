package dev.bulwark.resilience.retry;

import dev.bulwark.resilience.RejectedException;
import java.io.Serial;

/**
 * A {@link RetryBudget} denied a retry (or a hedged attempt).
 *
 * <p>A {@link Retry} whose budget denies a retry does not throw this exception: it rethrows the
 * call's last failure unchanged, so that callers see the real cause, and attaches this refusal to
 * it as a {@linkplain Throwable#getSuppressed() suppressed} exception so that logs show why the
 * call was not retried.
 */
public final class RetryBudgetExhaustedException extends RejectedException {

  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the refusal of a retry by the budget of the named policy.
   *
   * @param policyName the name of the retry (or hedge) whose retry was denied
   * @throws NullPointerException if {@code policyName} is null
   */
  public RetryBudgetExhaustedException(String policyName) {
    super(
        policyName,
        null,
        "retry budget of '"
            + policyName
            + "' is exhausted; retries resume as more calls are made (each adds a share of a"
            + " retry, whether it succeeds or not) or as the budget's window moves on; the"
            + " dependency is failing often");
  }
}
