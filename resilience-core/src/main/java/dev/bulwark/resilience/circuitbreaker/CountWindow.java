package dev.bulwark.resilience.circuitbreaker;

import dev.bulwark.resilience.internal.Backoff;
import dev.bulwark.resilience.internal.PaddedAtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/*
 * How the count window works, and why.
 *
 * The window is the last n outcomes: a ring of n slots and running totals, as in resilience4j.
 * resilience4j updates both under a lock; here a record is lock-free and allocation-free, and the
 * totals are still exact after every single record, not only once the threads have gone quiet.
 *
 * The totals are one long: the sequence number of the next record (31 bits, counted modulo a
 * multiple of n so that its ring position is simply seq mod n), a "full" bit once the ring has gone
 * round once (so the number of calls is n when full, seq otherwise), and the failures and slow
 * calls in the window (16 bits each). A slot is one long: the sequence number of the record that
 * wrote it, that record's outcome, and the outcome it evicted.
 *
 * A record happens in two steps. First it claims the slot at position seq mod n with a CAS that
 * replaces the slot of record seq - n (the outcome leaving the window) by its own, keeping the
 * evicted outcome beside it. Then it moves the totals on with a second CAS: seq + 1, failures and
 * slow calls + new - evicted. Between the two steps the slot is "pending" (its sequence number is
 * the totals' own); any thread that finds it so completes the second step for the owner (the
 * evicted outcome is in the slot, so it can), then tries again. That helping makes the scheme
 * lock-free: no thread ever waits for another. Each record takes effect at the instant its totals
 * CAS (its own or a helper's) succeeds, so the totals pass through exactly the states of a serial
 * execution, and the recorder judges the totals as they stood just after its own record, which it
 * computes itself.
 *
 * The sequence numbers make every CAS safe from ABA: neither the totals nor a slot can return to
 * an earlier value until some 2^31 records later, so a thread that read a value which has since
 * moved on fails its CAS (or, reading a slot whose sequence number is neither seq nor seq - n,
 * knows its reading of the totals is stale) and simply reads again. A lap parity alone is not
 * enough: on a one-slot ring the totals can return to an identical value, and a late helper then
 * advances them twice (CircuitBreakerStressTest pins this).
 *
 * The healthy steady state costs one read. When the totals say the window is full and holds no
 * failure and no slow call, and the new outcome is a fast success, the record changes nothing
 * observable: the last n outcomes were n fast successes and are n fast successes again. It then
 * only reads the totals, writes nothing, and returns the verdict on (n, 0, 0), computed once. Why
 * this is exact:
 *
 * - What a window is. The last n outcomes in order, oldest first; the implementation holds them
 *   as the ring read from position seq mod n onwards (a pending slot counting as the outcome it
 *   evicted), with the totals as their counts. A record is the serial step "append the outcome,
 *   drop the oldest". When every one of the n outcomes is a fast success, appending a fast success
 *   and dropping the oldest gives the same n fast successes, and any rotation of a ring of equal
 *   outcomes reads the same: leaving seq and the ring alone is that step. The invariants the
 *   slow path relies on (the slot at seq mod n is tagged seq - n, or seq while pending; the
 *   totals are the counts of the committed outcomes) are statements about the state, which the
 *   fast path does not touch. Sequence numbers now count the records that write a slot, not all
 *   records, and the ABA argument above is about those.
 * - When it takes effect. At its read of the totals, which lies within the call. The totals are,
 *   at every instant, the counts after exactly the records committed so far (those whose totals
 *   CAS succeeded), so the read sees a state of the serial execution, full of fast successes.
 *   A record that has claimed its slot but not moved the totals (pending) has not taken effect
 *   yet: it takes effect later, at its CAS, in a window the fast path left as it was, and evicts
 *   the outcome its slot held, a fast success, as the serial step would. A thread that read the
 *   totals before the fast path and CASes after it still succeeds, rightly: nothing changed.
 * - The verdict. The serial step leaves counts (n, 0, 0); the fast path returns exactly
 *   judge(n, 0, 0).
 * - Everywhere else the slow path runs as before: before the window is first full (the call count
 *   still grows), while it holds a failure or a slow call (its count must fall when that outcome
 *   is evicted, n slot-writing records later, and records while it is in the window all write
 *   slots, so it is evicted exactly n records later), and for any outcome that is not a fast
 *   success. The check is made on every read of the totals, including the re-reads after losing a
 *   race, so a record that finds the last failure just evicted also takes it.
 *
 * With the fast path, a healthy window costs a 2-thread breaker no shared write at all, so it
 * scales with the threads; a window that holds a failure pays the two CAS as before.
 */

/** The last n outcomes, lock-free and exact. See the comment above for the design. */
final class CountWindow implements Window {

  /** The largest window: the failure and slow-call counts have 16 bits each. */
  static final int MAX_SIZE = (1 << 16) - 1;

  private static final long FIELD = (1L << 16) - 1;
  private static final int SLOW_SHIFT = 16;
  private static final long FULL = 1L << 32;
  private static final int SEQUENCE_SHIFT = 33;
  // The bits that must read FULL, and no failure and no slow call, for the fast path.
  private static final long HEALTH = FULL | (FIELD << SLOW_SHIFT) | FIELD;

  private static final int OUTCOME_BITS = 3;
  private static final int PRESENT = 4; // a slot's outcome, beside Window.FAILED and Window.SLOW
  private static final int OUTCOME_MASK = 7;
  private static final int TAG_SHIFT = 2 * OUTCOME_BITS;

  /*
   * Contention. With two threads recording at once, helping straight away made both threads fight
   * over the same two cache lines: the owner's own totals CAS failed after the helper's, each
   * re-read moved the lines again, and a 2-thread window ran several times slower than a 1-thread
   * one. A thread that finds a record pending, or loses a slot, now pauses (Thread.onSpinWait)
   * before reading again, and helps only after PATIENCE such pauses: the owner, which is usually
   * running, finishes on its own, and a stalled owner is still helped, so the window stays
   * lock-free.
   *
   * The pauses grow (Backoff.pause): 1, 2, 4, ... up to 64 onSpinWait calls between two reads. A
   * single pause let the waiting thread read both lines again while the owner was still writing
   * them, and the two threads settled into taking turns record by record, each turn moving both
   * lines across; waiting longer leaves the lines with the thread that has them, which records
   * several times in a row. This matters when the window holds a failure, so that no record takes
   * the fast path described atop the class (the CircuitBreaker benchmark's countMixed variant; its
   * numbers are in benchmarks/README.md). Every wait is bounded, so progress never depends on a
   * thread being scheduled.
   */
  private static final int PATIENCE = 4;

  private final int size;
  private final long positionMagic; // for positionOf: ceil(2^64 / size), modulo 2^64
  private final long modulus; // sequence numbers count modulo this multiple of size
  private final Thresholds thresholds;
  private final int healthyVerdict; // judge(size, 0, 0): the verdict of the fast path
  private final PaddedAtomicLong totals = new PaddedAtomicLong(0); // alone on its cache line
  private final AtomicLongArray slots;

  CountWindow(int size, Thresholds thresholds) {
    this.size = size;
    this.positionMagic = Long.divideUnsigned(-1L, size) + 1;
    this.modulus = size * ((1L << 31) / size);
    this.thresholds = thresholds;
    this.healthyVerdict = thresholds.judge(size, 0, 0);
    this.slots = new AtomicLongArray(size);
    for (int i = 0; i < size; i++) {
      slots.set(i, (modulus - size + i) << TAG_SHIFT); // "written" by record i - n: empty
    }
  }

  @Override
  public int record(int outcome, long nowNanos) {
    int mine = outcome | PRESENT;
    int patience = PATIENCE;
    int spins = 1;
    while (true) {
      long t = totals.get();
      if (outcome == 0 && (t & HEALTH) == FULL) {
        return healthyVerdict; // full of fast successes, and one more: nothing changes (see above)
      }
      long sequence = t >>> SEQUENCE_SHIFT;
      int position = positionOf(sequence);
      long slot = slots.get(position);
      long tag = slot >>> TAG_SHIFT;
      if (tag == sequence) {
        // Pending: another record claimed this slot but has not moved the totals yet. It is
        // almost always a few instructions from doing so itself: give it a moment (see PATIENCE),
        // then help it.
        if (patience-- > 0) {
          spins = Backoff.pause(spins);
          continue;
        }
        totals.compareAndSet(t, advance(t, written(slot), (int) slot & OUTCOME_MASK));
        continue;
      }
      if (tag != minus(sequence, size)) {
        continue; // the slot has moved on since the totals were read: read both again
      }
      int evicted = written(slot);
      long claimed = (sequence << TAG_SHIFT) | ((long) mine << OUTCOME_BITS) | evicted;
      if (slots.compareAndSet(position, slot, claimed)) {
        long next = advance(t, mine, evicted);
        totals.compareAndSet(t, next); // fails only if a helper already stored `next`
        return thresholds.judge(calls(next), failures(next), slow(next));
      }
      // another record took this slot first: let it finish before reading
      spins = Backoff.pause(spins);
    }
  }

  /**
   * Returns {@code sequence % size} without a division, which would cost more than the rest of a
   * record: Lemire's "fastmod" (Lemire, Kaser and Kurz, "Faster remainder by direct computation",
   * 2019), exact for any dividend and divisor below 2^32; sequence numbers are below 2^31.
   */
  int positionOf(long sequence) {
    return (int) Math.unsignedMultiplyHigh(positionMagic * sequence, size);
  }

  private long minus(long sequence, long n) {
    return sequence >= n ? sequence - n : sequence - n + modulus;
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

  /** The sequence number of the next record that writes a slot, for tests. */
  long sequence() {
    return totals.get() >>> SEQUENCE_SHIFT;
  }

  private static int written(long slot) {
    return (int) (slot >>> OUTCOME_BITS) & OUTCOME_MASK;
  }

  private long advance(long t, int added, int evicted) {
    long failures = failures(t) + (added & FAILED) - (evicted & FAILED);
    long slow = slow(t) + ((added & SLOW) >> 1) - ((evicted & SLOW) >> 1);
    long sequence = (t >>> SEQUENCE_SHIFT) + 1;
    long full = t & FULL;
    if (sequence >= size) {
      full = FULL;
    }
    if (sequence == modulus) {
      sequence = 0;
    }
    return (sequence << SEQUENCE_SHIFT) | full | (slow << SLOW_SHIFT) | failures;
  }

  private long calls(long t) {
    return (t & FULL) != 0 ? size : t >>> SEQUENCE_SHIFT;
  }

  private static long failures(long t) {
    return t & FIELD;
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
