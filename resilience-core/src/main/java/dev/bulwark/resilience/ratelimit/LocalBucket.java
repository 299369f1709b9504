package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.internal.PaddedAtomicLong;

/** The default store of a {@link RateLimiter}: its one bucket, alone on its cache line. */
final class LocalBucket implements RateLimiterStore<String> {

  private final PaddedAtomicLong state = new PaddedAtomicLong(ABSENT);

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
