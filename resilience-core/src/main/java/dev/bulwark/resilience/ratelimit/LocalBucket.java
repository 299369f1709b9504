package dev.bulwark.resilience.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/** The default store of a {@link RateLimiter}: its one bucket in an {@link AtomicLong}. */
final class LocalBucket implements RateLimiterStore<String> {

  private final AtomicLong state = new AtomicLong(ABSENT);

  @Override
  public long get(String key) {
    return state.get();
  }

  @Override
  public boolean compareAndSet(String key, long expected, long update) {
    return state.compareAndSet(expected, update);
  }

  @Override
  public String toString() {
    return "LocalBucket";
  }
}
