package dev.bulwark.ratelimit.redis;

/**
 * What a {@link RedisRateLimiterStore} decides when Redis does not answer in time, fails, or its
 * circuit breaker is open. There is no default: the choice is the user's, because each one gives
 * something up.
 *
 * <ul>
 *   <li>{@link #failClosed()}: refuse every call with a {@link RedisUnavailableException}. The
 *       limit is never exceeded, and the protected service is never called while Redis is down.
 *   <li>{@link #failOpen()}: let every call through and count it ({@link
 *       RedisRateLimiterStore#failedOpen()}, {@link RedisStoreEvent.Degraded} events). The service
 *       stays up; the limit is not enforced while Redis is down.
 *   <li>{@link #localLimit(int)}: decide in this process's memory with the shared rate and burst
 *       divided by the expected number of instances: roughly the shared limit in total while every
 *       instance runs, decided on each instance's own clock.
 * </ul>
 */
public sealed interface FailureMode {

  /**
   * Refuse while Redis is unavailable.
   *
   * @return the fail-closed mode
   */
  static FailureMode failClosed() {
    return new FailClosed();
  }

  /**
   * Allow, and count, while Redis is unavailable.
   *
   * @return the fail-open mode
   */
  static FailureMode failOpen() {
    return new FailOpen();
  }

  /**
   * Decide in memory, at {@code 1 / expectedInstances} of the shared rate and burst (the burst
   * rounded up, at least 1), while Redis is unavailable.
   *
   * @param expectedInstances how many instances share the limit, at least 1
   * @return the local-limit mode
   * @throws IllegalArgumentException if {@code expectedInstances} is less than 1
   */
  static FailureMode localLimit(int expectedInstances) {
    return new LocalLimit(expectedInstances);
  }

  /** Refuse while Redis is unavailable. */
  record FailClosed() implements FailureMode {}

  /** Allow, and count, while Redis is unavailable. */
  record FailOpen() implements FailureMode {}

  /**
   * Decide in memory at a share of the limit while Redis is unavailable.
   *
   * @param expectedInstances how many instances share the limit, at least 1
   */
  record LocalLimit(int expectedInstances) implements FailureMode {

    /**
     * Validates the instance count.
     *
     * @throws IllegalArgumentException if {@code expectedInstances} is less than 1
     */
    public LocalLimit {
      if (expectedInstances < 1) {
        throw new IllegalArgumentException(
            "expectedInstances must be at least 1, was " + expectedInstances);
      }
    }
  }
}
