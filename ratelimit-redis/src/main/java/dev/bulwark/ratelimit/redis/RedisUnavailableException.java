package dev.bulwark.ratelimit.redis;

import dev.bulwark.resilience.RejectedException;
import java.io.Serial;
import java.time.Duration;

/**
 * A rate limiter whose store is on Redis refused a call because Redis could not decide (it timed
 * out, failed, or its circuit breaker is open) and the store was built to {@linkplain
 * FailureMode#failClosed() fail closed}. {@link #retryAfter()} is the time until the breaker lets a
 * call through to Redis again, when it is open.
 */
public final class RedisUnavailableException extends RejectedException {

  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the refusal.
   *
   * @param policyName the rate limiter's name
   * @param retryAfter when Redis may be asked again, or null if unknown
   * @param message what happened
   * @param failure the failure of the Redis call, attached as suppressed
   */
  RedisUnavailableException(
      String policyName, Duration retryAfter, String message, Throwable failure) {
    super(policyName, retryAfter, message);
    addSuppressed(failure);
  }
}
