package dev.bulwark.resilience.ratelimit;

/**
 * Where rate limiter buckets keep their state: one {@code long} per key, read and updated
 * atomically. This is the seam through which a distributed store (Redis, a database row, a
 * replicated map) can back a {@link RateLimiter} or a {@link KeyedRateLimiter} later; the default
 * is an in-memory store.
 *
 * <p>The value is opaque to the store: it is the bucket's "theoretical arrival time" in the
 * limiter's own scaled units (see the {@linkplain dev.bulwark.resilience.ratelimit package
 * documentation}). A store only keeps it, hands it back and replaces it when the expected value is
 * still there; every decision is one {@link #get} and one {@link #compareAndSet}, retried by the
 * limiter if another caller changed the bucket in between. {@link #ABSENT} stands for a key with no
 * bucket, which the limiter treats as a full bucket; the limiter never stores {@code ABSENT}.
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>{@link #compareAndSet} is atomic per key: it succeeds only if the key's value still equals
 *       {@code expected} (for {@code expected == ABSENT}: only if the key has no bucket), and then
 *       stores {@code update}.
 *   <li>A store may forget a key at any time (expiry, memory pressure); the key then reads {@link
 *       #ABSENT} and starts again with a full bucket. Forgetting a bucket that has refilled loses
 *       nothing; forgetting one that has not lets the key take its burst again sooner. A store with
 *       a time-to-live should use at least the limiter's {@code expireAfterIdle} (by default the
 *       time a bucket takes to refill).
 *   <li>All limiters sharing a store must share the configuration and a time base: the value is
 *       derived from {@link dev.bulwark.resilience.TimeSource#nanoTime()}, which across processes
 *       means a time source that reads a common clock.
 * </ul>
 *
 * @param <K> the type of the keys
 */
public interface RateLimiterStore<K> {

  /** The value of a key that has no bucket: a full bucket. Never stored by a limiter. */
  long ABSENT = Long.MIN_VALUE;

  /**
   * Returns the key's current value.
   *
   * @param key the key; a {@link RateLimiter} uses its name
   * @return the value, or {@link #ABSENT} if the key has no bucket
   */
  long get(K key);

  /**
   * Replaces the key's value with {@code update} if it still equals {@code expected}, atomically.
   *
   * @param key the key
   * @param expected the value read by {@link #get}, or {@link #ABSENT} to create the bucket
   * @param update the new value, never {@link #ABSENT}
   * @return true if the value was replaced, false if it had changed (the limiter then reads again)
   */
  boolean compareAndSet(K key, long expected, long update);
}
