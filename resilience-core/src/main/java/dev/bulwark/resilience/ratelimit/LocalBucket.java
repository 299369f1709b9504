package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.PaddedAtomicLong;

/**
 * The default store of a {@link RateLimiter}: its one bucket, alone on its cache line, on the
 * limiter's time source. It ignores the key: it belongs to one limiter.
 */
final class LocalBucket implements RateLimiterStore<String>, Gcra.Cells<String> {

  private final PaddedAtomicLong state = new PaddedAtomicLong(Gcra.ABSENT);
  private final TimeSource time;
  private final long originNanos;

  LocalBucket(TimeSource time) {
    this.time = time;
    this.originNanos = time.nanoTime();
  }

  @Override
  public long acquire(String key, Limit limit, int permits, long maxWaitNanos) {
    return limit.gcra.acquire(this, key, permits, maxWaitNanos);
  }

  @Override
  public void refund(String key, Limit limit, int permits) {
    limit.gcra.refund(this, key, permits);
  }

  @Override
  public int availablePermits(String key, Limit limit) {
    return limit.gcra.available(this, key);
  }

  @Override
  public long nowUnits(Gcra gcra) {
    return gcra.units(time.nanoTime() - originNanos);
  }

  @Override
  public long get(String key) {
    return state.get();
  }

  @Override
  public boolean compareAndSet(String key, long expected, long update, Gcra gcra) {
    return state.compareAndSet(expected, update);
  }

  @Override
  public String toString() {
    return "LocalBucket";
  }
}
