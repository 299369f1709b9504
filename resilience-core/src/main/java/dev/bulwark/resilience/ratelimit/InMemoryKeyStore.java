package dev.bulwark.resilience.ratelimit;

import static dev.bulwark.resilience.ratelimit.Gcra.ABSENT;

import dev.bulwark.resilience.TimeSource;
import java.io.Serial;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The default store of a {@link KeyedRateLimiter}, and the shared store of {@link
 * RateLimiterStore#inMemory}: a bucket per key in a {@link ConcurrentHashMap}, never more than
 * {@code maxKeys} of them, on one time source counted from the store's own origin. Each bucket
 * remembers the shape it was created with, which its sweeps use.
 *
 * <p><b>How memory stays bounded.</b> A counter of buckets is raised <em>before</em> a bucket is
 * inserted and lowered only <em>after</em> one is removed, and it never passes {@code maxKeys}, so
 * the map never holds more than {@code maxKeys} buckets at any instant, however many threads insert
 * new keys. A new key that finds the counter at the bound first makes room: one thread at a time (a
 * lock taken only on this path, never by a key that already has a bucket) sweeps the map, dropping
 * every bucket that has been full and idle for the grace period (it is indistinguishable from a
 * fresh one, so nothing is lost); if that frees less than a tenth of the bound, it also drops the
 * fullest of the buckets in use (the least state lost) until a tenth is free, so a flood of new
 * keys costs one sweep per tenth of the bound. A dropped key starts again from a full bucket, so a
 * key whose bucket was forced out while not full can take up to a burst more than its rate: that
 * happens only when more than {@code maxKeys} keys are active at once, and the {@link
 * RateLimiterEvent.KeysEvicted} event counts it. Idle buckets are also swept when a new key arrives
 * and the last sweep is older than the sweep interval ({@code max(expireAfterIdle, 1s)}, so that
 * the O(keys) sweep is amortised over time), and on {@link #cleanUp()}.
 *
 * <p><b>Why dropping is safe against racing updates.</b> A bucket is retired by a compare-and-set
 * of its value to {@link Gcra#ABSENT} before it leaves the map. A caller that read the old value
 * then fails its own compare-and-set and reads again, finds the key absent and starts a fresh
 * bucket; no update can land on a bucket that is no longer in the map.
 */
final class InMemoryKeyStore<K> implements RateLimiterStore<K>, Gcra.Cells<K> {

  /** A bucket: its value, or {@code ABSENT} once retired, and its shape. */
  private static final class Bucket extends AtomicLong {
    @Serial private static final long serialVersionUID = 1L;

    final transient Gcra gcra;

    Bucket(long value, Gcra gcra) {
      super(value);
      this.gcra = gcra;
    }
  }

  private final ConcurrentHashMap<K, Bucket> buckets;
  private final AtomicInteger count = new AtomicInteger();
  private final int maxKeys;
  private final int target;
  private final TimeSource time;
  private final long originNanos;
  private final long graceNanos;
  private final long sweepIntervalNanos;
  private final ReentrantLock sweepLock = new ReentrantLock();
  private final Consumer<RateLimiterEvent.KeysEvicted> onEvicted;
  private final String name;
  private volatile long lastSweep;

  /**
   * @param graceNanos how long a bucket must have been full before it is dropped as idle
   * @param onEvicted told after each sweep that dropped buckets, with no lock held
   */
  InMemoryKeyStore(
      String name,
      int maxKeys,
      TimeSource time,
      long graceNanos,
      long sweepIntervalNanos,
      Consumer<RateLimiterEvent.KeysEvicted> onEvicted) {
    this.name = name;
    this.maxKeys = maxKeys;
    this.target = maxKeys - Math.max(1, maxKeys / 10);
    this.time = time;
    this.graceNanos = graceNanos;
    this.sweepIntervalNanos = Math.max(1, sweepIntervalNanos);
    this.onEvicted = onEvicted;
    this.buckets = new ConcurrentHashMap<>(Math.min(maxKeys, 1 << 16));
    this.originNanos = time.nanoTime();
    this.lastSweep = originNanos;
  }

  @Override
  public long acquire(K key, Limit limit, int permits, long maxWaitNanos) {
    return limit.gcra.acquire(this, key, permits, maxWaitNanos);
  }

  @Override
  public void refund(K key, Limit limit, int permits) {
    limit.gcra.refund(this, key, permits);
  }

  @Override
  public int availablePermits(K key, Limit limit) {
    return limit.gcra.available(this, key);
  }

  @Override
  public long nowUnits(Gcra gcra) {
    return gcra.units(time.nanoTime() - originNanos);
  }

  @Override
  public long get(K key) {
    Bucket b = buckets.get(key);
    return b == null ? ABSENT : b.get();
  }

  @Override
  public boolean compareAndSet(K key, long expected, long update, Gcra gcra) {
    if (expected != ABSENT) {
      Bucket b = buckets.get(key);
      return b != null && b.compareAndSet(expected, update);
    }
    Bucket old = buckets.get(key);
    if (old != null) {
      if (old.get() != ABSENT) {
        return false; // someone created it meanwhile
      }
      if (buckets.remove(key, old)) {
        count.decrementAndGet(); // retired but not yet removed: help
      }
    }
    if (!reserveSlot(key)) {
      return false; // someone created it while this caller waited for room
    }
    if (buckets.putIfAbsent(key, new Bucket(update, gcra)) != null) {
      count.decrementAndGet();
      return false;
    }
    long now = time.nanoTime();
    if (now - lastSweep >= sweepIntervalNanos && sweepLock.tryLock()) {
      RateLimiterEvent.KeysEvicted evicted;
      try {
        evicted = sweep(now, null);
      } finally {
        sweepLock.unlock();
      }
      report(evicted);
    }
    return true;
  }

  /** Returns how many buckets are in memory now, never more than {@code maxKeys}. */
  int size() {
    return count.get();
  }

  /** Drops every bucket that has been full and idle for the grace period. */
  void cleanUp() {
    RateLimiterEvent.KeysEvicted evicted;
    sweepLock.lock();
    try {
      evicted = sweep(time.nanoTime(), null);
    } finally {
      sweepLock.unlock();
    }
    report(evicted);
  }

  /**
   * Raises the bucket count for a new bucket of {@code key}, making room first if the store is
   * full. Returns false, reserving nothing, if another caller has meanwhile given {@code key} a
   * live bucket: its creator must then decide against that bucket. Without this, two callers that
   * both found the key absent in a full store would each start a bucket, the second evicting the
   * first's fresh one to make room, and the key would get two bursts with one key active.
   */
  private boolean reserveSlot(K key) {
    while (true) {
      int c = count.get();
      if (c < maxKeys) {
        if (count.compareAndSet(c, c + 1)) {
          return true;
        }
        continue;
      }
      RateLimiterEvent.KeysEvicted evicted = null;
      sweepLock.lock();
      try {
        Bucket created = buckets.get(key);
        if (created != null && created.get() != ABSENT) {
          return false;
        }
        if (count.get() >= maxKeys) {
          evicted = sweep(time.nanoTime(), key);
        }
      } finally {
        sweepLock.unlock();
      }
      report(evicted);
      Thread.onSpinWait();
    }
  }

  private void report(RateLimiterEvent.KeysEvicted evicted) {
    if (evicted != null && (evicted.expired() > 0 || evicted.forced() > 0)) {
      onEvicted.accept(evicted);
    }
  }

  /**
   * Sweeps the map; call with {@code sweepLock} held. With {@code creating} not null, also makes
   * room for that key's new bucket, never by evicting a bucket of that key itself.
   */
  private RateLimiterEvent.KeysEvicted sweep(long nowNanos, K creating) {
    lastSweep = nowNanos;
    long since = nowNanos - originNanos;
    int[] expired = {0};
    buckets.forEach(
        (key, b) -> {
          long v = b.get();
          if (v == ABSENT) {
            retire(key, b, v); // a leftover of a racing retirement
          } else if (b.gcra.expired(v, b.gcra.units(since), graceUnits(b.gcra))
              && retire(key, b, v)) {
            expired[0]++;
          }
        });
    int forced = 0;
    int nonFull = 0;
    int excess = count.get() - target;
    if (creating != null && excess > 0) {
      // Drop the fullest buckets in use: find the debt of the excess-th fullest, then drop up to
      // excess buckets whose debt is no larger. Debts are compared in nanoseconds, as buckets of
      // a shared store may count in different units.
      long[] debts = new long[buckets.size()];
      int[] n = {0};
      buckets.forEach(
          (key, b) -> {
            if (n[0] < debts.length) {
              debts[n[0]++] = debtNanos(b, since);
            }
          });
      Arrays.sort(debts, 0, n[0]);
      long threshold = n[0] == 0 ? Long.MAX_VALUE : debts[Math.min(excess, n[0]) - 1];
      int[] dropped = {0, 0};
      buckets.forEach(
          (key, b) -> {
            if (dropped[0] >= excess) {
              return;
            }
            long v = b.get();
            long debt = debtNanos(b, since);
            if (v != ABSENT && debt <= threshold && !key.equals(creating) && retire(key, b, v)) {
              dropped[0]++;
              if (debt > 0) {
                dropped[1]++;
              }
            }
          });
      forced = dropped[0];
      nonFull = dropped[1];
    }
    return new RateLimiterEvent.KeysEvicted(name, expired[0], forced, nonFull);
  }

  private static long debtNanos(Bucket b, long since) {
    return b.gcra.debt(b.get(), b.gcra.units(since)) / b.gcra.q;
  }

  private long graceUnits(Gcra gcra) {
    return graceNanos >= Gcra.HORIZON / gcra.q ? Gcra.HORIZON : graceNanos * gcra.q;
  }

  /** Retires a bucket whose value was {@code v} and removes it; false if it changed meanwhile. */
  private boolean retire(K key, Bucket b, long v) {
    if (v != ABSENT && !b.compareAndSet(v, ABSENT)) {
      return false;
    }
    if (buckets.remove(key, b)) {
      count.decrementAndGet();
    }
    return true;
  }

  @Override
  public String toString() {
    return "InMemoryKeyStore[" + count.get() + " of " + maxKeys + " keys]";
  }
}
