package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.internal.Durations;
import java.io.Serial;
import java.time.Duration;

/**
 * A rate limiter refused permits: they would not be ready within the caller's max wait. The refusal
 * comes at once (the caller does not wait for a permit it cannot get in time) and {@link
 * #retryAfter()} says, to the nanosecond of the limiter's time source, when the permits would be
 * ready if nobody else takes them first:
 *
 * <pre>{@code
 * rate limiter 'api' refused 1 permit; next permit in 12.5ms
 * }</pre>
 *
 * <p>A call through {@link RateLimiter#call} that is interrupted while it waits for its permit is
 * not refused: it gets a {@link java.util.concurrent.CancellationException}, as from a bulkhead.
 */
public final class RateLimitedException extends RejectedException {

  @Serial private static final long serialVersionUID = 1L;

  private final int permits;

  /** For a lazily built message: whether a keyed limiter refused, and the caller's max wait. */
  private final boolean keyed;

  private final Duration maxWait;

  /**
   * The refusal of permits that would be ready in {@code retryAfterNanos}, beyond {@code maxWait}:
   * its message, which formats both, is built only if someone reads it (refusals come in floods).
   */
  RateLimitedException(
      String policyName, int permits, long retryAfterNanos, Duration maxWait, boolean keyed) {
    super(policyName, retryAfterNanos);
    this.permits = permits;
    this.keyed = keyed;
    this.maxWait = maxWait;
  }

  /**
   * Says how many permits were refused and when they would be ready: {@code rate limiter 'api'
   * refused 1 permit; next permit in 12.5ms}, with {@code for this key} for a keyed limiter (which
   * never names the key) and the max wait when it was not zero.
   */
  @Override
  protected String buildMessage() {
    String scope = keyed ? Engine.KEY_SCOPE : "";
    String next = Durations.format(retryAfter().orElseThrow());
    String message =
        permits == 1
            ? "rate limiter '"
                + policyName()
                + "' refused 1 permit"
                + scope
                + "; next permit in "
                + next
            : "rate limiter '"
                + policyName()
                + "' refused "
                + permits
                + " permits"
                + scope
                + "; next "
                + permits
                + " permits in "
                + next;
    return maxWait.isZero()
        ? message
        : message + ", beyond the max wait of " + Durations.format(maxWait);
  }

  /**
   * Returns how many permits were refused.
   *
   * @return the permits asked for
   */
  public int permits() {
    return permits;
  }
}
