package dev.bulwark.resilience.ratelimit;

import java.time.Duration;

/**
 * What a {@link RateLimiter} or {@link KeyedRateLimiter} publishes to its listeners. Events are
 * built only while someone listens. A keyed limiter's events never carry the key: keys are often
 * client ids or API keys, and listeners (logs, metrics) should not collect them.
 */
public sealed interface RateLimiterEvent {

  /**
   * Returns the name of the limiter that published the event.
   *
   * @return the limiter's name
   */
  String policyName();

  /**
   * Permits were granted.
   *
   * @param policyName the limiter's name
   * @param permits how many permits were taken
   * @param waited how long the caller waited for them (zero when they were available at once)
   */
  record Acquired(String policyName, int permits, Duration waited) implements RateLimiterEvent {}

  /**
   * Permits were refused because they would not be ready within the caller's max wait.
   *
   * @param policyName the limiter's name
   * @param permits how many permits were asked for
   * @param retryAfter when the permits would be ready, from the refusal
   */
  record Refused(String policyName, int permits, Duration retryAfter) implements RateLimiterEvent {}

  /**
   * A caller was interrupted while it waited for reserved permits; the reservation was given back
   * to the bucket.
   *
   * @param policyName the limiter's name
   * @param permits how many permits had been reserved
   */
  record Interrupted(String policyName, int permits) implements RateLimiterEvent {}

  /**
   * A {@link KeyedRateLimiter} dropped buckets from memory in one sweep.
   *
   * @param policyName the limiter's name
   * @param expired buckets dropped because they had been full and idle for {@code expireAfterIdle}:
   *     dropping them loses nothing
   * @param forced buckets dropped, though in use, because the limiter held {@code maxKeys} keys
   *     that were all in use; each such key may take up to a burst more than its rate allows
   * @param nonFull how many of the {@code forced} buckets had not yet refilled (the ones whose keys
   *     can exceed the rate)
   */
  record KeysEvicted(String policyName, int expired, int forced, int nonFull)
      implements RateLimiterEvent {}
}
