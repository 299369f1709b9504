package dev.bulwark.resilience.circuitbreaker;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/*
 * How the count window works, and why.
 *
 * The window is the last n outcomes: a ring of n slots and running totals, as in resilience4j.
 * resilience4j updates both under a lock; here a record is lock-free and allocation-free, and the
 * totals are still exact after every single record, not only once the threads have gone quiet.
 *
 * The totals are one long: the ring position of the next record (20 bits), the failures and the
 * slow calls in the window (20 bits each), the parity of the current lap round the ring, and a
 * "full" bit once the ring has gone round once (so the number of calls is n when full, the
 * position otherwise). A slot is one int: a lap counter (25 bits), the outcome written in that
 * lap, and the outcome it evicted (3 bits each).
 *
 * A record happens in two steps. First it claims the slot at the totals' position with a CAS that
 * moves the slot's lap on by one and writes its outcome beside the one it evicts. Then it moves the
 * totals on with a second CAS: position + 1, failures and slow calls + new - evicted. Between the
 * two steps the slot is "pending" (its lap parity equals the totals' lap parity); any thread that
 * finds it so completes the second step for the owner (the evicted outcome is in the slot, so it
 * can), then tries again. That helping makes the scheme lock-free: no thread ever waits for
 * another. Each record therefore takes effect at the instant its totals CAS (its own or a
 * helper's) succeeds, the totals pass through exactly the states a serial execution would, and
 * the recorder judges the totals as they stood just after its own record, which it can compute
 * itself.
 *
 * A thread reads the totals, then the slot, then the totals again; equal totals mean the slot it
 * read belongs to that moment (the slot cannot change without the totals moving past it, and the
 * 25-bit lap counter keeps a stale CAS on the slot from succeeding for 2^25 laps). Totals that
 * return to an identical value are the identical state, so that ABA is harmless.
 */

/** The last n outcomes, lock-free and exact. See the comment above for the design. */
final class CountWindow implements Window {

  /** The largest window: positions and counts have 20 bits each. */
  static final int MAX_SIZE = (1 << 20) - 1;

  private static final long FIELD = (1L << 20) - 1;
  private static final int FAILURES_SHIFT = 20;
  private static final int SLOW_SHIFT = 40;
  private static final long PARITY = 1L << 60;
  private static final long FULL = 1L << 61;

  private static final int OUTCOME_BITS = 3;
  private static final int PRESENT = 4; // a slot's outcome, beside Window.FAILED and Window.SLOW
  private static final int OUTCOME_MASK = 7;
  private static final int LAP_SHIFT = 2 * OUTCOME_BITS;
  private static final int LAP_MASK = (1 << 25) - 1;

  private final int size;
  private final Thresholds thresholds;
  private final AtomicLong totals = new AtomicLong();
  private final AtomicIntegerArray slots;

  CountWindow(int size, Thresholds thresholds) {
    this.size = size;
    this.thresholds = thresholds;
    this.slots = new AtomicIntegerArray(size);
    int empty = LAP_MASK << LAP_SHIFT; // lap -1: odd, so "ready" against lap 0 of the totals
    for (int i = 0; i < size; i++) {
      slots.set(i, empty);
    }
  }

  @Override
  public int record(int outcome, long nowNanos) {
    int mine = outcome | PRESENT;
    while (true) {
      long t = totals.get();
      int position = (int) (t & FIELD);
      int slot = slots.get(position);
      if (totals.get() != t) {
        continue; // the slot may belong to a later lap: read both again
      }
      int lap = slot >>> LAP_SHIFT;
      if (((lap & 1) == 1) == ((t & PARITY) != 0)) {
        // Pending: another record claimed this slot but has not moved the totals yet. Help it.
        totals.compareAndSet(t, advance(t, written(slot), slot & OUTCOME_MASK));
        continue;
      }
      int evicted = written(slot);
      int claimed = (((lap + 1) & LAP_MASK) << LAP_SHIFT) | (mine << OUTCOME_BITS) | evicted;
      if (slots.compareAndSet(position, slot, claimed)) {
        long next = advance(t, mine, evicted);
        totals.compareAndSet(t, next); // fails only if a helper already stored `next`
        return thresholds.judge(calls(next), failures(next), slow(next));
      }
    }
  }

  @Override
  public Counts counts(long nowNanos) {
    long t = totals.get();
    return new Counts(calls(t), failures(t), slow(t));
  }

  /**
   * Counts the outcomes in the slots themselves, for tests: once no record is in flight, this
   * equals {@link #counts(long)}.
   */
  Counts recount() {
    long calls = 0;
    long failures = 0;
    long slow = 0;
    for (int i = 0; i < size; i++) {
      int outcome = written(slots.get(i));
      if ((outcome & PRESENT) != 0) {
        calls++;
        failures += outcome & FAILED;
        slow += (outcome & SLOW) >> 1;
      }
    }
    return new Counts(calls, failures, slow);
  }

  private static int written(int slot) {
    return (slot >>> OUTCOME_BITS) & OUTCOME_MASK;
  }

  private long advance(long t, int added, int evicted) {
    long failures = failures(t) + (added & FAILED) - (evicted & FAILED);
    long slow = slow(t) + ((added & SLOW) >> 1) - ((evicted & SLOW) >> 1);
    long position = (t & FIELD) + 1;
    long flags = t & (PARITY | FULL);
    if (position == size) {
      position = 0;
      flags = (flags ^ PARITY) | FULL;
    }
    return position | (failures << FAILURES_SHIFT) | (slow << SLOW_SHIFT) | flags;
  }

  private long calls(long t) {
    return (t & FULL) != 0 ? size : t & FIELD;
  }

  private static long failures(long t) {
    return (t >>> FAILURES_SHIFT) & FIELD;
  }

  private static long slow(long t) {
    return (t >>> SLOW_SHIFT) & FIELD;
  }

  @Override
  public Thresholds thresholds() {
    return thresholds;
  }

  @Override
  public String toString() {
    Counts c = counts(0);
    return "CountWindow[size=" + size + ", " + c + "]";
  }
}
