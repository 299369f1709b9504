package dev.bulwark.resilience;

import dev.bulwark.resilience.internal.Checks;
import java.io.Serial;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A policy refused to run a call: the circuit is open, the bulkhead is full, the rate limit is
 * reached, the retry budget is spent, a queue is full.
 *
 * <p>A refusal is not a failure of the call (the call never started), and it says what to do: it
 * names the {@linkplain #policyName() policy} that refused and, where the policy knows, {@linkplain
 * #retryAfter() when} a new call may be let through. A service maps it to HTTP 429 or 503 with a
 * {@code Retry-After} header.
 *
 * <p>Refusals happen most when load is highest, so they are cheap: they carry no stack trace. The
 * policy name and the message say where they came from.
 */
public abstract class RejectedException extends RuntimeException {

  @Serial private static final long serialVersionUID = 1L;

  private final String policyName;
  private final transient Duration retryAfter;

  /**
   * Creates a refusal.
   *
   * @param policyName the name of the policy that refused
   * @param retryAfter when a new call may be let through, or null if the policy cannot tell
   * @param message what was refused and what to do; should name the policy
   * @throws NullPointerException if {@code policyName} or {@code message} is null
   * @throws IllegalArgumentException if {@code retryAfter} is negative
   */
  protected RejectedException(String policyName, Duration retryAfter, String message) {
    super(Objects.requireNonNull(message, "message"), null, true, false);
    this.policyName = Objects.requireNonNull(policyName, "policyName");
    if (retryAfter != null) {
      Checks.nonNegative(retryAfter, "retryAfter");
    }
    this.retryAfter = retryAfter;
  }

  /**
   * Returns the name of the policy that refused the call.
   *
   * @return the policy's name
   */
  public String policyName() {
    return policyName;
  }

  /**
   * Returns how long from the refusal until the policy may let a call through again, if it knows.
   *
   * @return the wait, or empty if the policy cannot estimate it
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
