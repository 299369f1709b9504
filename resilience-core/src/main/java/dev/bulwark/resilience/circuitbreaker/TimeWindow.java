package dev.bulwark.resilience.circuitbreaker;

import dev.bulwark.resilience.internal.Backoff;
import dev.bulwark.resilience.internal.PaddedAtomicLong;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/*
 * How the time window works, and why.
 *
 * The window is the outcomes of the last n whole seconds, as resilience4j's time-based window:
 * one bucket per second, the second being floor(nanoTime / 1e9) of the time source (resilience4j
 * uses the epoch second of its Clock; with a clock that reads the same instants the buckets line
 * up). Bucket i of the ring holds the latest second e recorded with e mod n = i. The latest second
 * is the latest any record has read; a call recorded in second e counts while the latest second
 * (or, for a reading of the counts, the second read) is below e + n. A record whose reading of the
 * time is older than the latest second (it read the clock just before another thread's record
 * turned the second) still goes into its own second's bucket, and is judged, like every record,
 * on the window as of the latest second. A record goes nowhere if a later second has taken its
 * bucket, or if its second already holds 2,097,151 calls (the counts have 21 bits each).
 *
 * The whole window is one frame, published in one AtomicReference: the latest second, the ring
 * (each bucket's second and packed counts: calls, failures, slow calls) for every second but the
 * latest, the sums of the earlier seconds still in the window, and the latest second's counts in
 * a word of their own, the live word. A frame never changes except through its live word; every
 * other change (a new second, a late record) publishes a new frame, so the window
 * allocates a frame per second of traffic and per late record, never per call in a second.
 *
 * A record in the latest second is one CAS on the live word, and is judged on the earlier seconds'
 * sums plus the counts its CAS wrote: no summing per record. Any other record first seals the
 * live word (a CAS that sets its top bit, which no record ever clears), then builds the next frame
 * from the sealed counts with its own record applied, and publishes it with a CAS on the frame.
 *
 * Why that is linearizable. A frame is replaced only after its live word is sealed, and a sealed
 * word never changes again. So a CAS on an unsealed live word, or a read that finds it unsealed,
 * happens while its frame is the published one, and the frame with that live value is, at that
 * instant, the whole window: nothing else is shared. Between the seal and the next frame's CAS the
 * window is frozen as the sealed frame reads, and the next frame starts from exactly that state.
 * Each operation therefore takes effect at one atomic step inside the call:
 *
 * - a record in the latest second: at its CAS on the live word; its verdict is judged on the
 *   frame's sums and the counts that CAS wrote, the window right after it;
 * - a record of a new second, or a late record that counts: at its CAS on the frame; it is judged
 *   on the frame it built;
 * - a record that goes nowhere, and a reading of the counts: at their read of an unsealed live
 *   word; they read the frame that was the window at that instant.
 *
 * The serial order is the order of those steps. A record judged at second s + 1 sees exactly the
 * records whose step came before its own; one in second s that has not yet taken its step finds
 * the live word sealed, or the next frame, and becomes a late record, judged after it, as of
 * second s + 1. Nothing sums buckets that other threads are writing: a frame's sums are taken
 * once, from arrays no thread writes after publishing them, so a bucket taken over by a later
 * second is never half-read.
 *
 * Progress and ABA. A thread that finds the live word sealed waits a few spins for the sealer to
 * publish (it is usually a few instructions away), then builds and publishes a frame itself (with
 * its own record applied, or unchanged, for a reading): no thread waits for another, and of the
 * racing CASes one always succeeds. Neither CAS can be fooled by ABA: frames are never reused
 * while a thread holds one, each frame has a live word of its own, and a live word's counts only
 * grow until it is sealed, for good.
 */

/** The outcomes of the last n seconds in one-second buckets. See the comment above. */
final class TimeWindow implements Window {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final long FIELD = (1L << 21) - 1;
  private static final int FAILURES_SHIFT = 21;
  private static final int SLOW_SHIFT = 42;
  // The live word's top bit (so a sealed word reads negative); the counts use the other 63 bits.
  private static final long SEALED = Long.MIN_VALUE;
  private static final long NEVER = Long.MIN_VALUE; // the second of a bucket never written

  // Spins before a thread that finds the live word sealed builds the next frame itself.
  private static final int PATIENCE = 4;

  /**
   * The window as of its latest second. Immutable but for {@code live}; a later state is a new
   * frame.
   */
  private static final class Frame {
    final long latest; // the latest second any record has read (NEVER before the first record)
    final long[] seconds; // per bucket; the latest second's bucket reads `latest`
    final long[] counts; // per bucket, packed; unused for the latest second's bucket (see live)
    final long calls; // sums of the buckets of the seconds in (latest - n, latest)
    final long failures;
    final long slow;
    final long published; // the live word's counts when the frame was published
    final PaddedAtomicLong live; // the latest second's counts; SEALED once the frame is replaced

    Frame(long latest, long[] seconds, long[] counts, long liveCounts) {
      this.latest = latest;
      this.seconds = seconds;
      this.counts = counts;
      long calls = 0;
      long failures = 0;
      long slow = 0;
      for (int i = 0; i < seconds.length; i++) {
        long age = latest - seconds[i];
        if (latest != NEVER && seconds[i] != NEVER && age > 0 && age < seconds.length) {
          calls += counts[i] & FIELD;
          failures += (counts[i] >>> FAILURES_SHIFT) & FIELD;
          slow += (counts[i] >>> SLOW_SHIFT) & FIELD;
        }
      }
      this.calls = calls;
      this.failures = failures;
      this.slow = slow;
      this.published = liveCounts;
      this.live = new PaddedAtomicLong(liveCounts);
    }
  }

  private final int n;
  private final Thresholds thresholds;
  private final AtomicReference<Frame> frame;

  TimeWindow(int seconds, Thresholds thresholds) {
    this.n = seconds;
    this.thresholds = thresholds;
    long[] never = new long[seconds];
    Arrays.fill(never, NEVER);
    this.frame = new AtomicReference<>(new Frame(NEVER, never, new long[seconds], 0));
  }

  @Override
  public int record(int outcome, long nowNanos) {
    long second = Math.floorDiv(nowNanos, NANOS_PER_SECOND);
    long delta =
        1
            | ((long) (outcome & FAILED) << FAILURES_SHIFT)
            | ((long) (outcome & SLOW) >> 1 << SLOW_SHIFT);
    int patience = PATIENCE;
    int spins = 1;
    while (true) {
      Frame f = frame.get();
      PaddedAtomicLong live = f.live;
      long c = live.get();
      if (c < 0) {
        // Sealed: another thread is publishing the next frame. Give it a moment, then do it here.
        if (patience-- > 0) {
          spins = Backoff.pause(spins);
          continue;
        }
        c &= ~SEALED;
      } else if (second == f.latest) {
        if ((c & FIELD) == FIELD) {
          return judge(f, c); // the second is full: the outcome goes nowhere
        }
        if (live.compareAndSet(c, c + delta)) {
          return judge(f, c + delta); // takes effect here: the common case
        }
        continue;
      } else if (goesNowhere(f, second, c)) {
        return judge(f, c); // takes effect at the read of the live word, which was unsealed
      } else if (!live.compareAndSet(c, c | SEALED)) {
        continue; // a record of the latest second came first: read again
      }
      Frame next = next(f, c, second, delta);
      if (frame.compareAndSet(f, next)) {
        return judge(next, next.published); // takes effect here, in the frame it built
      }
    }
  }

  /**
   * Whether a record of {@code second}, not the frame's latest, changes nothing: its bucket holds a
   * later second, or its own second's bucket is full.
   */
  private boolean goesNowhere(Frame f, long second, long liveCounts) {
    if (second > f.latest) {
      return false;
    }
    int i = (int) Math.floorMod(second, (long) n);
    long held = i == bucketOf(f.latest) ? f.latest : f.seconds[i];
    long counts = i == bucketOf(f.latest) ? liveCounts : f.counts[i];
    return held > second || (held == second && (counts & FIELD) == FIELD);
  }

  /**
   * The frame after {@code f}, whose live word was sealed at {@code liveCounts}, with a record of
   * {@code delta} in {@code second} applied (none if {@code delta} is 0).
   */
  private Frame next(Frame f, long liveCounts, long second, long delta) {
    long[] seconds = f.seconds.clone();
    long[] counts = f.counts.clone();
    if (f.latest != NEVER) {
      counts[bucketOf(f.latest)] = liveCounts;
    }
    long latest = f.latest;
    if (delta != 0) {
      latest = Math.max(latest, second);
      int i = (int) Math.floorMod(second, (long) n);
      if (seconds[i] < second) {
        seconds[i] = second; // NEVER is below every second
        counts[i] = delta;
      } else if (seconds[i] == second && (counts[i] & FIELD) != FIELD) {
        counts[i] += delta;
      }
    }
    if (latest == NEVER) {
      return new Frame(NEVER, seconds, counts, 0);
    }
    int current = bucketOf(latest);
    long live = counts[current];
    counts[current] = 0;
    return new Frame(latest, seconds, counts, live);
  }

  private int bucketOf(long second) {
    return second == NEVER ? -1 : (int) Math.floorMod(second, (long) n);
  }

  private int judge(Frame f, long liveCounts) {
    return thresholds.judge(
        f.calls + (liveCounts & FIELD),
        f.failures + ((liveCounts >>> FAILURES_SHIFT) & FIELD),
        f.slow + ((liveCounts >>> SLOW_SHIFT) & FIELD));
  }

  @Override
  public Counts counts(long nowNanos) {
    long second = Math.floorDiv(nowNanos, NANOS_PER_SECOND);
    int patience = PATIENCE;
    int spins = 1;
    while (true) {
      Frame f = frame.get();
      long c = f.live.get();
      if (c >= 0) {
        return countsAt(f, c, second); // takes effect at the read of the unsealed live word
      }
      if (patience-- > 0) {
        spins = Backoff.pause(spins);
      } else {
        frame.compareAndSet(f, next(f, c & ~SEALED, f.latest, 0)); // publish it unchanged
      }
    }
  }

  private Counts countsAt(Frame f, long liveCounts, long second) {
    long calls = 0;
    long failures = 0;
    long slow = 0;
    int current = bucketOf(f.latest);
    for (int i = 0; i < n; i++) {
      long held = i == current ? f.latest : f.seconds[i];
      long c = i == current ? liveCounts : f.counts[i];
      long age = second - held;
      if (held != NEVER && age >= 0 && age < n) {
        calls += c & FIELD;
        failures += (c >>> FAILURES_SHIFT) & FIELD;
        slow += (c >>> SLOW_SHIFT) & FIELD;
      }
    }
    return new Counts(calls, failures, slow);
  }

  @Override
  public Thresholds thresholds() {
    return thresholds;
  }

  @Override
  public String toString() {
    return "TimeWindow[seconds=" + n + "]";
  }
}
