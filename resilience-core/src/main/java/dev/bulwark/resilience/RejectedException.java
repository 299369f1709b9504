package dev.bulwark.resilience;

import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import java.io.IOException;
import java.io.ObjectOutputStream;
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
 * policy name and the message say where they came from. A refusal that knows when to retry may be
 * created with its wait in nanoseconds and no message ({@link #RejectedException(String, long)}):
 * the message, which formats the wait, is then built the first time it is asked for ({@link
 * #buildMessage()}), so that a refusal nobody reads allocates nothing but itself.
 */
public abstract class RejectedException extends RuntimeException {

  @Serial private static final long serialVersionUID = 1L;

  /** {@link #retryAfterNanos} of a refusal created with a {@code Duration}, or none. */
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
   * The message: given, or built on the first {@link #getMessage()} (a benign race: two threads may
   * both build it, and they build the same text). Always set before serialization.
   */
  private String message;

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
    this.retryAfterNanos = UNKNOWN;
    this.message = message;
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
    this.policyName = Objects.requireNonNull(policyName, "policyName");
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
   * Returns what was refused and what to do; for a refusal created without a message, built on the
   * first call by {@link #buildMessage()}.
   *
   * @return the message, never null
   */
  @Override
  public String getMessage() {
    String m = message;
    if (m == null) {
      m = super.getMessage(); // set by the eager constructor, or read from an older stream
      if (m == null) {
        m = buildMessage();
      }
      message = m;
    }
    return m;
  }

  /**
   * Builds the message of a refusal created by {@link #RejectedException(String, long)}; called at
   * most once per thread that reads the message, and never for a refusal created with a message.
   * Subclasses that use the lazy constructor override it to say what was refused; this default
   * names the policy and the wait: {@code 'api' refused the call; retry in 12.5ms}.
   *
   * @return the message; should name the policy and say when to retry
   */
  protected String buildMessage() {
    return "'"
        + policyName
        + "' refused the call; retry in "
        + Durations.formatNanos(retryAfterNanos);
  }

  /** Builds the message before writing, so that a deserialized refusal needs no builder. */
  @Serial
  private void writeObject(ObjectOutputStream out) throws IOException {
    getMessage();
    out.defaultWriteObject();
  }
}
