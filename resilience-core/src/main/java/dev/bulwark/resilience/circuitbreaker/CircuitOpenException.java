package dev.bulwark.resilience.circuitbreaker;

import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import java.io.Serial;
import java.time.Duration;

/**
 * A {@link CircuitBreaker} refused a call: it is OPEN, FORCED_OPEN, or HALF_OPEN with every trial
 * call already in flight. The call never started.
 *
 * <p>{@link #retryAfter()} is the time until the breaker lets a call through again when it is OPEN
 * (the rest of its open duration), and empty when it cannot tell: FORCED_OPEN stays so until
 * someone closes it, and a HALF_OPEN breaker decides when its trial calls finish. The message says
 * the same: {@code circuit 'payments' is OPEN; calls permitted again in 4.2s}.
 */
public final class CircuitOpenException extends RejectedException {

  @Serial private static final long serialVersionUID = 1L;

  /** The state that refused. */
  private final CircuitBreaker.State state;

  /**
   * Creates a refusal.
   *
   * @param policyName the breaker's name
   * @param state the state that refused: OPEN, FORCED_OPEN or HALF_OPEN
   * @param retryAfter when a call may be let through again, or null if unknown
   * @param message what was refused and what to do
   * @throws NullPointerException if {@code policyName}, {@code state} or {@code message} is null
   * @throws IllegalArgumentException if {@code retryAfter} is negative
   */
  public CircuitOpenException(
      String policyName, CircuitBreaker.State state, Duration retryAfter, String message) {
    super(policyName, retryAfter, message);
    this.state = Checks.notNull(state, "state");
  }

  /**
   * Creates the refusal of an OPEN breaker, whose message (which formats the wait) is built only if
   * someone reads it: an open breaker refuses every call, so its refusals come in floods.
   *
   * @param policyName the breaker's name
   * @param retryAfterNanos the rest of the open duration, in nanoseconds
   */
  CircuitOpenException(String policyName, long retryAfterNanos) {
    super(policyName, retryAfterNanos);
    this.state = CircuitBreaker.State.OPEN;
  }

  /** Says that the circuit is open and when it lets calls through again: {@code ... in 4.2s}. */
  @Override
  protected String buildMessage() {
    return "circuit '"
        + policyName()
        + "' is OPEN; calls permitted again in "
        + Durations.format(retryAfter().orElseThrow());
  }

  /**
   * Returns the state the breaker was in when it refused.
   *
   * @return OPEN, FORCED_OPEN or HALF_OPEN
   */
  public CircuitBreaker.State state() {
    return state;
  }
}
