package dev.bulwark.resilience.retry;

import dev.bulwark.resilience.RejectedException;
import java.io.Serial;
import java.time.Duration;

/** A refusal of some inner policy, for tests: carries an optional retryAfter. */
public final class RetryTestRefusal extends RejectedException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates a refusal of the policy "inner".
   *
   * @param retryAfter the hint, or null
   */
  public RetryTestRefusal(Duration retryAfter) {
    super("inner", retryAfter, "inner refused");
  }
}
