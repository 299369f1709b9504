package dev.bulwark.resilience.circuitbreaker;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/*
 * How the time window works, and why.
 *
 * The window is the outcomes of the last n whole seconds, as resilience4j's time-based window:
 * one bucket per second, the second being floor(nanoTime / 1e9) of the time source (resilience4j
 * uses the epoch second of its Clock; with a clock that reads the same instants the buckets line
 * up). A call recorded in second e counts while the current second is below e + n.
 *
 * Bucket i of the ring holds the second e with e mod n = i: an immutable epoch and one AtomicLong
 * of packed counts (calls, failures, slow calls: 21 bits each). Recording in the bucket's own
 * second is one CAS on the counts; the first record of a new second swaps in a fresh bucket with a
 * CAS on the ring slot, which is the only allocation (one small object per second of traffic,
 * never per call). Eviction is lazy: a bucket whose second lies outside (now - n, now] simply does
 * not count. So time moves with no timer and no sweep.
 *
 * The verdict after a record sums the live buckets (n reads). That keeps every record exact
 * without a lock: resilience4j keeps a running total instead, which needs its lock. A second's
 * bucket stops counting at 2,097,151 calls (then further calls in that second are dropped, whole,
 * so the rates stay right); a thread whose reading of the time is already n seconds old when it
 * records finds its bucket reused and drops its outcome.
 */

/** The outcomes of the last n seconds in one-second buckets. See the comment above. */
final class TimeWindow implements Window {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final long FIELD = (1L << 21) - 1;
  private static final int FAILURES_SHIFT = 21;
  private static final int SLOW_SHIFT = 42;

  /** One second's counts. The epoch never changes; a new second gets a new bucket. */
  private static final class Bucket {
    final long epochSecond;
    final AtomicLong counts;

    Bucket(long epochSecond, long counts) {
      this.epochSecond = epochSecond;
      this.counts = new AtomicLong(counts);
    }
  }

  private static final Bucket NEVER = new Bucket(Long.MIN_VALUE, 0);

  private final int seconds;
  private final Thresholds thresholds;
  private final AtomicReferenceArray<Bucket> buckets;

  TimeWindow(int seconds, Thresholds thresholds) {
    this.seconds = seconds;
    this.thresholds = thresholds;
    this.buckets = new AtomicReferenceArray<>(seconds);
    for (int i = 0; i < seconds; i++) {
      buckets.set(i, NEVER);
    }
  }

  @Override
  public int record(int outcome, long nowNanos) {
    long epoch = Math.floorDiv(nowNanos, NANOS_PER_SECOND);
    int index = (int) Math.floorMod(epoch, (long) seconds);
    long delta =
        1
            | ((long) (outcome & FAILED) << FAILURES_SHIFT)
            | ((long) (outcome & SLOW) >> 1 << SLOW_SHIFT);
    while (true) {
      Bucket bucket = buckets.get(index);
      if (bucket.epochSecond == epoch) {
        AtomicLong counts = bucket.counts;
        long c = counts.get();
        if ((c & FIELD) == FIELD || counts.compareAndSet(c, c + delta)) {
          break; // recorded, or the second is full and the outcome is dropped
        }
      } else if (bucket.epochSecond < epoch) {
        if (buckets.compareAndSet(index, bucket, new Bucket(epoch, delta))) {
          break;
        }
      } else {
        break; // this thread's reading of the time is n seconds stale: its bucket is reused
      }
    }
    return judge(epoch);
  }

  private int judge(long epoch) {
    long calls = 0;
    long failures = 0;
    long slow = 0;
    for (int i = 0; i < seconds; i++) {
      Bucket bucket = buckets.get(i);
      if (live(bucket, epoch)) {
        long c = bucket.counts.get();
        calls += c & FIELD;
        failures += (c >>> FAILURES_SHIFT) & FIELD;
        slow += (c >>> SLOW_SHIFT) & FIELD;
      }
    }
    return thresholds.judge(calls, failures, slow);
  }

  @Override
  public Counts counts(long nowNanos) {
    long epoch = Math.floorDiv(nowNanos, NANOS_PER_SECOND);
    long calls = 0;
    long failures = 0;
    long slow = 0;
    for (int i = 0; i < seconds; i++) {
      Bucket bucket = buckets.get(i);
      if (live(bucket, epoch)) {
        long c = bucket.counts.get();
        calls += c & FIELD;
        failures += (c >>> FAILURES_SHIFT) & FIELD;
        slow += (c >>> SLOW_SHIFT) & FIELD;
      }
    }
    return new Counts(calls, failures, slow);
  }

  private boolean live(Bucket bucket, long epoch) {
    long age = epoch - bucket.epochSecond;
    return bucket != NEVER && age >= 0 && age < seconds;
  }

  @Override
  public Thresholds thresholds() {
    return thresholds;
  }

  @Override
  public String toString() {
    return "TimeWindow[seconds=" + seconds + "]";
  }
}
