package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import java.time.Duration;

/**
 * Where rate limiter buckets live, and the one atomic step that decides on them: the seam through
 * which a shared store (Redis, a database, a replicated map) backs a {@link RateLimiter} or a
 * {@link KeyedRateLimiter}. The default is a store in the limiter's own memory; {@link
 * #inMemory(TimeSource)} gives one that several limiters in one process can share.
 *
 * <p><b>The store decides, on its own clock.</b> A decision is a single call, {@link #acquire},
 * that reads the store's clock, updates the key's bucket and answers how long the caller must wait
 * or when it may ask again — one atomic read-modify-write per decision, never a read followed by a
 * compare-and-set from the caller (which a remote store would have to retry across the network, N−1
 * times under a key that N callers share). The clock being the store's is what makes sharing
 * correct: every limiter that decides on a key measures time on one time base, wherever it runs and
 * whenever it was built. The limiter's own {@link dev.bulwark.resilience.TimeSource} only times the
 * waits of callers that were granted permits a little ahead.
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>Each method is atomic per key and implements the GCRA of the {@linkplain
 *       dev.bulwark.resilience.ratelimit package documentation}, with the shape given by the {@link
 *       Limit}: a key with no bucket has a full one.
 *   <li>All limiters deciding on one key pass an equal {@link Limit}; a store may treat a key
 *       decided with different shapes as it likes (the in-memory stores assume the shape of the
 *       call).
 *   <li>A store may forget a bucket once it has refilled (it is then no different from a fresh
 *       one), and should: idle keys should cost no memory. Forgetting one that has not refilled
 *       lets its key take its burst again sooner.
 *   <li>{@link #acquire} is on every call's path: the in-memory stores take no lock and allocate
 *       nothing there.
 * </ul>
 *
 * <p>A store may throw a {@link dev.bulwark.resilience.RejectedException} of its own from {@link
 * #acquire} when it cannot decide (a shared store that is down and configured to refuse); it passes
 * through the limiter to the caller unchanged.
 *
 * @param <K> the type of the keys
 */
public interface RateLimiterStore<K> {

  /**
   * Takes {@code permits} from the key's bucket if they are ready within {@code maxWaitNanos} on
   * the store's clock, reserving them if they are not ready yet; otherwise changes nothing.
   *
   * @param key the key; a {@link RateLimiter} uses its name
   * @param limit the bucket's shape
   * @param permits how many, from 1 to the burst (checked by the limiter)
   * @param maxWaitNanos the longest the caller will wait, zero or more
   * @return zero or more: granted, and the caller waits that many nanoseconds before it uses them;
   *     less than zero: refused, and {@code -result} nanoseconds from now (at least 1) is when they
   *     would be ready if nobody else took them first
   */
  long acquire(K key, Limit limit, int permits, long maxWaitNanos);

  /**
   * Gives back {@code permits} that a caller reserved by {@link #acquire} and will not use (it was
   * interrupted before their ready time): takes their cost off the bucket's debt. Called only
   * before the reservation's ready time; a bucket the store has since forgotten is left alone.
   *
   * @param key the key
   * @param limit the bucket's shape
   * @param permits how many were reserved
   */
  void refund(K key, Limit limit, int permits);

  /**
   * Returns how many permits the key could take now without waiting.
   *
   * @param key the key
   * @param limit the bucket's shape
   * @return zero or more; the burst for a key with no bucket
   */
  int availablePermits(K key, Limit limit);

  /**
   * Returns a store in this process's memory that several limiters can share: limiters built with
   * it at any time decide on one bucket per key, on the time source given here. At most 100,000
   * buckets are held; a bucket is dropped once it has refilled, and at the bound the fullest go
   * first (as in a {@link KeyedRateLimiter}).
   *
   * @param time the clock every decision reads
   * @param <K> the type of the keys
   * @return a new, empty store
   * @throws NullPointerException if {@code time} is null
   */
  static <K> RateLimiterStore<K> inMemory(TimeSource time) {
    Checks.notNull(time, "time");
    return new InMemoryKeyStore<>("shared store", 100_000, time, 0L, 1_000_000_000L, e -> {});
  }

  /**
   * The shape of a bucket, as a store needs it: the limiter's name (for refusals a store makes
   * itself), its rate and its burst. Built by the limiters; immutable.
   */
  final class Limit {

    private final String name;
    private final Duration period;

    /** The arithmetic of this shape, precomputed; used by the in-memory stores. */
    final Gcra gcra;

    Limit(String name, int permits, Duration period, int burst) {
      this.name = name;
      this.period = period;
      this.gcra = new Gcra(permits, period.toNanos(), burst);
    }

    /**
     * Returns a shape, validated as a rate limiter's builder validates it: for a store that decides
     * by a shape of its own, such as a local share of a shared limit while the shared store is
     * down.
     *
     * @param name the name refusals carry
     * @param permits the permits added per period, at least 1
     * @param period the period, positive, at most 365 days
     * @param burst the most permits the bucket holds, at least 1
     * @return the shape
     * @throws IllegalArgumentException if a value is out of range, as {@link
     *     RateLimiter.Builder#build()} says
     * @throws NullPointerException if {@code name} or {@code period} is null
     */
    public static Limit of(String name, int permits, Duration period, int burst) {
      RateLimiter.validate(
          name,
          true,
          permits,
          period,
          burst,
          Duration.ZERO,
          dev.bulwark.resilience.TimeSource.system());
      return new Limit(name, permits, period, burst);
    }

    /**
     * Returns the name of the limiter deciding with this shape.
     *
     * @return the limiter's name
     */
    public String name() {
      return name;
    }

    /**
     * Returns the permits added per period.
     *
     * @return at least 1
     */
    public int permits() {
      return gcra.permits;
    }

    /**
     * Returns the period over which {@link #permits()} are added, evenly.
     *
     * @return a positive duration of at most 365 days
     */
    public Duration period() {
      return period;
    }

    /**
     * Returns the most permits the bucket holds.
     *
     * @return at least 1
     */
    public int burst() {
      return gcra.burst;
    }

    /**
     * Returns the time an empty bucket takes to refill, rounded up to the nanosecond: how long a
     * store must keep a bucket after its last update at most.
     *
     * @return the refill time
     */
    public Duration refillTime() {
      return Duration.ofNanos(gcra.refillNanos);
    }

    @Override
    public String toString() {
      return "Limit['"
          + name
          + "', "
          + gcra.permits
          + " per "
          + period
          + ", burst "
          + gcra.burst
          + "]";
    }
  }
}
