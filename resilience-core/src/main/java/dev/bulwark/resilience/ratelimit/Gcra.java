package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.internal.Backoff;
import java.time.Duration;

/**
 * The arithmetic of one token bucket, kept as a GCRA "theoretical arrival time"; shared by {@link
 * RateLimiter} and {@link KeyedRateLimiter}. See the package documentation for the design.
 *
 * <p>Units: a permit costs {@code period / permits} nanoseconds, which is rarely a whole number (3
 * per second is 333,333,333⅓ ns). Rounding it would drift: rounded up, a caller arriving exactly at
 * the rate is eventually refused; rounded down, the limiter slowly exceeds its rate. So time is
 * counted in units of {@code 1/q} ns, where {@code period / permits = a / q} in lowest terms: a
 * permit then costs exactly {@code a} units and the bucket holds {@code tolerance = burst · a}
 * units. For the usual rates (100 per second, 1,000 per minute) {@code q} is 1. Values are compared
 * by subtraction, so the wrap-around of {@code nanoTime · q} is harmless.
 *
 * <p>The stored value {@code F} is the instant at which the bucket will be full again. At time
 * {@code now} the bucket owes {@code debt = max(0, F - now)} units and holds {@code burst - debt/a}
 * permits. Taking {@code n} permits sets {@code F = now + debt + n·a}; the permits are ready once
 * the debt fits the bucket again, that is after {@code wait = debt + n·a - tolerance} units (now if
 * that is zero or less). A caller that waits goes ahead on the next whole nanosecond {@code g} and
 * is accounted as arriving then: {@code F = max(now + debt, g) + n·a}. A debt larger than {@link
 * #HORIZON} can never have been stored (waits are capped below it), so it marks a value from long
 * ago whose difference wrapped round: a full bucket.
 */
final class Gcra {

  /**
   * Where a decision reads and writes a bucket's value: the in-memory stores' maps and cells. The
   * value is {@link #ABSENT} for a key with no bucket (a full one); it is never stored.
   */
  interface Cells<K> {
    long get(K key);

    /** Replaces the value if it still equals {@code expected} ({@code ABSENT}: creates it). */
    boolean compareAndSet(K key, long expected, long update, Gcra gcra);

    /** Reads the store's clock, in units of {@code gcra} (see {@link Gcra#units}). */
    long nowUnits(Gcra gcra);
  }

  /** The value of a key that has no bucket: a full bucket. Never stored. */
  static final long ABSENT = Long.MIN_VALUE;

  /** The largest debt ever stored, in units; a larger difference means an ancient value. */
  static final long HORIZON = 1L << 62;

  /** The largest tolerance accepted at build time, in units, leaving room for waits. */
  static final long MAX_TOLERANCE = 1L << 61;

  final int permits;
  final int burst;

  /** Units per nanosecond. */
  final long q;

  /** Units per permit. */
  final long a;

  /** Units of debt a full burst represents. */
  final long tolerance;

  /** The nanoseconds a bucket takes to refill from empty, rounded up. */
  final long refillNanos;

  /**
   * The longest wait a caller may reserve, in units, and the max wait in nanoseconds from which it
   * applies; computed once, so that a decision divides nothing.
   */
  private final long maxWaitUnits;

  private final long maxWaitCapNanos;

  Gcra(int permits, long periodNanos, int burst) {
    long g = gcd(periodNanos, permits);
    this.permits = permits;
    this.burst = burst;
    this.q = permits / g;
    this.a = periodNanos / g;
    this.tolerance = burst * a;
    this.refillNanos = ceilDiv(tolerance, q);
    this.maxWaitUnits = HORIZON - tolerance - q;
    this.maxWaitCapNanos = maxWaitUnits / q;
  }

  /** Returns whether {@code burst · period / permits} fits the unit range; checked by builders. */
  static boolean fits(int permits, long periodNanos, int burst) {
    long g = gcd(periodNanos, permits);
    long a = periodNanos / g;
    return a <= MAX_TOLERANCE / burst;
  }

  /** Returns the time the given bucket shape takes to refill, for messages. */
  static Duration refillTime(int permits, long periodNanos, int burst) {
    return Duration.ofNanos(new Gcra(permits, periodNanos, burst).refillNanos);
  }

  /**
   * Converts nanoseconds since a store's origin to units (wrapping, as the time source does). A
   * store counts time from its own origin, the time source's reading when it was made, so the
   * stored values start near zero and reach the wrap-around of {@code nanoTime · q}, where a value
   * could collide with {@link #ABSENT}, only after 2⁶³ units (292 years for {@code q = 1}) — not
   * whenever the time source happens to read near {@code Long.MAX_VALUE}. One origin per store, not
   * per limiter, is what lets limiters built at different times share the store's buckets.
   */
  long units(long nanosSinceOrigin) {
    return nanosSinceOrigin * q;
  }

  /** Returns the debt of a stored value at {@code nowUnits}: zero for a full bucket. */
  long debt(long stored, long nowUnits) {
    if (stored == ABSENT) {
      return 0;
    }
    long d = stored - nowUnits;
    return d <= 0 || d > HORIZON ? 0 : d;
  }

  /** Returns the permits a caller could take at once, zero or more. */
  int available(long stored, long nowUnits) {
    long d = debt(stored, nowUnits);
    return d >= tolerance ? 0 : (int) ((tolerance - d) / a);
  }

  /**
   * Returns whether a bucket has been full for at least {@code graceUnits}: dropping it then loses
   * nothing the limiter needs.
   */
  boolean expired(long stored, long nowUnits, long graceUnits) {
    if (stored == ABSENT) {
      return true;
    }
    long idle = nowUnits - stored;
    return idle < -HORIZON || idle >= graceUnits;
  }

  /**
   * Takes {@code n} permits from the key's bucket if they are ready within {@code maxWaitNanos},
   * reserving them if they are not ready yet.
   *
   * @return zero or more: the permits are taken, after waiting that many nanoseconds; less than
   *     zero: refused, and {@code -result} nanoseconds from the decision's clock reading are when
   *     they would be ready (at least 1)
   */
  <K> long acquire(Cells<K> store, K key, int n, long maxWaitNanos) {
    long cost = n * a;
    long maxWait = maxWaitNanos >= maxWaitCapNanos ? maxWaitUnits : maxWaitNanos * q;
    /*
     * Each attempt reads the bucket first and the clock second. The value is then unchanged from
     * its read to the successful compare-and-exchange, and the clock was read in between, so the
     * decision is exactly the one the bucket gives at the instant of that clock reading. Reading
     * the clock first, or once for all attempts, is cheaper under contention but not exact: a
     * value stored by a caller that read a later clock then counts as debt from an earlier "now",
     * so the decision refuses permits the bucket held at every instant of the call and overstates
     * the retry-after by the time between the two reads (RateLimiterLincheckTest found that
     * interleaving; the regression test is
     * RateLimiterTest.aDecisionIsNotJudgedAtAClockReadOlderThanTheBucket). The price is a clock
     * read per attempt, and a bucket read that is older by a clock read when the compare-and-swap
     * comes, so under contention more attempts lose; a caller that loses backs off before it reads
     * again, which leaves the winner to take several permits in a row with the line in its cache
     * (benchmarks/README.md has the measurements of the variants).
     */
    long stored = store.get(key);
    int spins = 1;
    while (true) {
      long now = store.nowUnits(this);
      long d = debt(stored, now);
      long wait = d + cost - tolerance;
      if (wait > maxWait) {
        return -ceilDiv(wait, q);
      }
      long waitNanos = wait <= 0 ? 0 : ceilDiv(wait, q);
      // A waiter goes ahead on a whole nanosecond, up to 1ns after its exact ready time: account
      // for it as an arrival at that instant, so the permits it is really granted conform too.
      long next = now + Math.max(d, waitNanos * q) + cost;
      if (next == ABSENT) {
        next++; // one unit later: never store the marker, and err on the side of fewer permits
      }
      if (store.compareAndSet(key, stored, next, this)) {
        return waitNanos;
      }
      // Lost to another caller, who has the cache line now: let it keep the line for a while
      // (growing pauses, as the count window's) instead of pulling it back at once, then read
      // again.
      spins = Backoff.pause(spins);
      stored = store.get(key);
    }
  }

  /**
   * Returns the permits a caller could take at once from the key's bucket: the bucket and the clock
   * are read until the bucket is unchanged across the clock reading, so the answer is the bucket's
   * at that instant.
   */
  <K> int available(Cells<K> store, K key) {
    while (true) {
      long stored = store.get(key);
      long now = store.nowUnits(this);
      if (store.get(key) == stored) {
        return available(stored, now);
      }
    }
  }

  /**
   * Gives back {@code n} reserved permits that will not be used: takes their cost off the bucket's
   * debt. Called only before the reservation's ready time, while the debt still includes that cost
   * (see the package documentation); a bucket the store has since forgotten is left alone.
   */
  <K> void refund(Cells<K> store, K key, int n) {
    long cost = n * a;
    while (true) {
      long stored = store.get(key);
      if (stored == ABSENT) {
        return;
      }
      long next = stored - cost;
      if (next == ABSENT) {
        next++;
      }
      if (store.compareAndSet(key, stored, next, this)) {
        return;
      }
    }
  }

  static long ceilDiv(long x, long y) {
    return Math.ceilDiv(x, y);
  }

  private static long gcd(long x, long y) {
    while (y != 0) {
      long t = x % y;
      x = y;
      y = t;
    }
    return x;
  }
}
