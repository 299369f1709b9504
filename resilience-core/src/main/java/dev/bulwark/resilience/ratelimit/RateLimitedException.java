package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.RejectedException;
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
 * <p>The same type is thrown, with the thread's interrupt status set and no {@code retryAfter},
 * when a call through {@link RateLimiter#call} is interrupted while it waits for its permit.
 */
public final class RateLimitedException extends RejectedException {

  @Serial private static final long serialVersionUID = 1L;

  private final int permits;

  RateLimitedException(String policyName, int permits, Duration retryAfter, String message) {
    super(policyName, retryAfter, message);
    this.permits = permits;
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
