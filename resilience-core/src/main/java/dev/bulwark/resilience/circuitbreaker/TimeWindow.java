package dev.bulwark.resilience.circuitbreaker;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
 * CAS on the ring slot. Eviction is lazy: a bucket whose second lies outside (now - n, now] simply
 * does not count, so time moves with no timer and no sweep.
 *
 * The verdict after a record needs the whole window. Summing n buckets per record would make a
 * one-minute window cost sixty reads per call, so the first record of each second sums the
 * seconds before it once, into an immutable summary (the window's only allocations: a bucket and a
 * summary per second of traffic, never per call); later records of that second add the summary to
 * their own bucket's counts, which their CAS returned. The summary stays exact because the
 * earlier seconds cannot change while the current one lasts, with one exception: a late record,
 * from a thread that read the time just before the second turned. A record checks, after its
 * CAS, whether another thread has already seen a later second; if so it counts itself in
 * lateRecords, and a summary is valid only while lateRecords is what it was before the summary
 * was summed. Either the summing saw the late record's CAS, or the summary is thrown away: no
 * record is missed. The late record itself is judged by a plain sum as of the latest second.
 *
 * A second's bucket stops counting at 2,097,151 calls (then further calls in that second are
 * dropped, whole, so the rates stay right); a record whose reading of the time is already n
 * seconds old when it arrives finds its bucket reused and is dropped.
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

  /** The counts of the seconds before {@code epochSecond} still in the window. */
  private record Summary(
      long epochSecond, long lateRecords, long calls, long failures, long slow) {}

  private static final Bucket NEVER = new Bucket(Long.MIN_VALUE, 0);

  private final int seconds;
  private final Thresholds thresholds;
  private final AtomicReferenceArray<Bucket> buckets;
  private final AtomicLong latestSecond = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong lateRecords = new AtomicLong();
  private final AtomicReference<Summary> summary =
      new AtomicReference<>(new Summary(Long.MIN_VALUE, 0, 0, 0, 0));

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
    long latest;
    while ((latest = latestSecond.get()) < epoch && !latestSecond.compareAndSet(latest, epoch)) {
      // another thread moved it; read again
    }
    long delta =
        1
            | ((long) (outcome & FAILED) << FAILURES_SHIFT)
            | ((long) (outcome & SLOW) >> 1 << SLOW_SHIFT);
    long current = add(epoch, delta);
    latest = latestSecond.get();
    if (latest > epoch) {
      lateRecords.incrementAndGet(); // a summary summed before this record must not be used
      Counts counts = countsAt(latest); // judged as of the latest second, as resilience4j would
      return thresholds.judge(counts.calls(), counts.failures(), counts.slow());
    }
    long late = lateRecords.get();
    Summary before = summary.get();
    if (before.epochSecond != epoch || before.lateRecords != late) {
      Summary fresh = summarize(epoch, late);
      if (before.epochSecond <= epoch) {
        summary.compareAndSet(before, fresh);
      }
      before = fresh;
    }
    return thresholds.judge(
        before.calls + (current & FIELD),
        before.failures + ((current >>> FAILURES_SHIFT) & FIELD),
        before.slow + ((current >>> SLOW_SHIFT) & FIELD));
  }

  /** Adds to the bucket of {@code epoch}; returns its counts after the add (zero if dropped). */
  private long add(long epoch, long delta) {
    int index = (int) Math.floorMod(epoch, (long) seconds);
    while (true) {
      Bucket bucket = buckets.get(index);
      if (bucket.epochSecond == epoch) {
        AtomicLong counts = bucket.counts;
        long c = counts.get();
        if ((c & FIELD) == FIELD) {
          return c; // the second is full: the outcome is dropped
        }
        if (counts.compareAndSet(c, c + delta)) {
          return c + delta;
        }
      } else if (bucket.epochSecond < epoch) {
        if (buckets.compareAndSet(index, bucket, new Bucket(epoch, delta))) {
          return delta;
        }
      } else {
        return 0; // this thread's reading of the time is n seconds stale: its bucket is reused
      }
    }
  }

  /** Sums the seconds before {@code epoch} that are still in the window. */
  private Summary summarize(long epoch, long late) {
    long calls = 0;
    long failures = 0;
    long slow = 0;
    for (int i = 0; i < seconds; i++) {
      Bucket bucket = buckets.get(i);
      long age = epoch - bucket.epochSecond;
      if (bucket != NEVER && age > 0 && age < seconds) {
        long c = bucket.counts.get();
        calls += c & FIELD;
        failures += (c >>> FAILURES_SHIFT) & FIELD;
        slow += (c >>> SLOW_SHIFT) & FIELD;
      }
    }
    return new Summary(epoch, late, calls, failures, slow);
  }

  @Override
  public Counts counts(long nowNanos) {
    return countsAt(Math.floorDiv(nowNanos, NANOS_PER_SECOND));
  }

  private Counts countsAt(long epoch) {
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
