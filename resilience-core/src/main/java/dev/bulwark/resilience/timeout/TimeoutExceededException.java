package dev.bulwark.resilience.timeout;

import dev.bulwark.resilience.internal.Checks;
import java.io.Serial;
import java.time.Duration;

/**
 * A call ran past the deadline of a {@link Timeout}.
 *
 * <p>This is not a refusal (not a {@link dev.bulwark.resilience.RejectedException}): the call did
 * start, and it may have had effects. Its cause, if any, is what the call threw when it was
 * interrupted (often an {@link InterruptedException}); a call that ignored the interrupt and
 * returned a value has no cause, and its value was dropped.
 */
public final class TimeoutExceededException extends RuntimeException {

  @Serial private static final long serialVersionUID = 1L;

  private final String policyName;
  private final transient Duration timeout;

  /**
   * Creates the exception.
   *
   * @param policyName the name of the timeout that was exceeded
   * @param timeout the time the call was given
   * @param message what happened; names the policy and the timeout
   * @param cause what the call threw after the deadline passed, or null
   * @throws NullPointerException if {@code policyName}, {@code timeout} or {@code message} is null
   */
  public TimeoutExceededException(
      String policyName, Duration timeout, String message, Throwable cause) {
    super(Checks.notNull(message, "message"), cause);
    this.policyName = Checks.notNull(policyName, "policyName");
    this.timeout = Checks.notNull(timeout, "timeout");
  }

  /**
   * Returns the name of the timeout policy that was exceeded.
   *
   * @return the policy's name
   */
  public String policyName() {
    return policyName;
  }

  /**
   * Returns the time the call was given: the timeout's duration, or less when it inherited an
   * earlier deadline from an enclosing one.
   *
   * @return the time the call was given
   */
  public Duration timeout() {
    return timeout;
  }
}
