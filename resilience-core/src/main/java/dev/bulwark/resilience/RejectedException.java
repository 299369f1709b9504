package dev.bulwark.resilience;

import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import java.io.Serial;
import java.time.Duration;
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
 * policy name and the message say where they came from. A refusal that knows when to retry may be
 * created with its wait in nanoseconds and no message ({@link #RejectedException(String, long)}):
 * the message, which formats the wait, is then built only when it is asked for ({@link
 * #buildMessage()}), so that a refusal nobody reads allocates nothing but itself.
 */
public abstract class RejectedException extends RuntimeException {

  @Serial private static final long serialVersionUID = 1L;

  /** {@link #retryAfterNanos} of a refusal created with a {@code Duration}, or with none. */
  private static final long UNKNOWN = -1;

  private final String policyName;

  /** When a new call may be let through, as given to the eager constructor; or null. */
  private final Duration retryAfter;

  /**
   * When a new call may be let through, in nanoseconds from the refusal, as given to the lazy
   * constructor; {@link #UNKNOWN} otherwise. A {@code Duration} is made of it only when asked.
   */
  private final long retryAfterNanos;

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
    super(Checks.notNull(message, "message"), null, true, false);
    this.policyName = Checks.notNull(policyName, "policyName");
    if (retryAfter != null) {
      Checks.nonNegative(retryAfter, "retryAfter");
    }
    this.retryAfter = retryAfter;
    this.retryAfterNanos = UNKNOWN;
  }

  /**
   * Creates a refusal that knows when to retry and builds its message only when asked, through
   * {@link #buildMessage()}: the constructor allocates nothing (no {@link Duration}, no text),
   * which keeps a flood of refusals cheap.
   *
   * @param policyName the name of the policy that refused
   * @param retryAfterNanos when a new call may be let through, in nanoseconds from now
   * @throws NullPointerException if {@code policyName} is null
   * @throws IllegalArgumentException if {@code retryAfterNanos} is negative
   */
  protected RejectedException(String policyName, long retryAfterNanos) {
    super(null, null, true, false);
    this.policyName = Checks.notNull(policyName, "policyName");
    if (retryAfterNanos < 0) {
      throw new IllegalArgumentException(
          "retryAfterNanos must not be negative, was " + retryAfterNanos);
    }
    this.retryAfter = null;
    this.retryAfterNanos = retryAfterNanos;
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
    if (retryAfter != null) {
      return Optional.of(retryAfter);
    }
    return retryAfterNanos == UNKNOWN
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(retryAfterNanos));
  }

  /**
   * Returns what was refused and what to do. For a refusal created without a message, the message
   * is built by {@link #buildMessage()} each time it is asked for: refusals are many and their
   * messages seldom read, and a field to keep the text would make every refusal bigger.
   *
   * @return the message, never null
   */
  @Override
  public String getMessage() {
    String message = super.getMessage();
    return message != null ? message : buildMessage();
  }

  /**
   * Builds the message of a refusal created by {@link #RejectedException(String, long)}, on every
   * {@link #getMessage()}; never called for a refusal created with a message. It must build the
   * same text each time, from the refusal's serializable state, so that a deserialized refusal says
   * the same. Subclasses that use the lazy constructor override it to say what was refused; this
   * default names the policy and the wait: {@code 'api' refused the call; retry in 12.5ms}.
   *
   * @return the message; should name the policy and say when to retry
   */
  protected String buildMessage() {
    return "'"
        + policyName
        + "' refused the call; retry in "
        + Durations.formatNanos(retryAfterNanos);
  }
}
