package dev.bulwark.resilience.bulkhead;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Backoff;
import dev.bulwark.resilience.internal.PaddedAtomicLong;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/*
 * How the gate works, and why.
 *
 * One AtomicLong holds the whole state an acquirer judges by: the permits in flight (bits 0-31),
 * the limit (bits 32-62) and whether any thread is queued for a permit (bit 63, the sign bit).
 * Keeping all three in one word is what lets the common path stay lock-free without giving up
 * fairness, and lets the adaptive bulkhead move the limit without a window in which it is wrong:
 *
 * - Fast acquire: a compare-and-set that adds one in-flight permit, allowed only while nobody is
 *   queued and the in-flight count is below the limit of the same word. A newcomer therefore never
 *   barges ahead of a queued waiter: as soon as one thread is queued the fast path is closed.
 * - Release: one atomic decrement of the in-flight count (it cannot fail and retry, as a
 *   compare-and-set can when threads contend). If the word it returns shows threads queued, the
 *   release then takes the lock and hands the freed permit to the head of the queue; no newcomer
 *   can take it in between, since the fast acquire is closed while anyone is queued, so permits
 *   go to waiters in arrival order.
 * - Release with a new limit (the adaptive bulkhead's completion): one compare-and-set that returns
 *   the permit and writes the limit together. An acquirer sees either the old limit with the
 *   finished call still counted or the new limit without it, never the new limit with the finished
 *   call still counted (which refused calls although there was room before and after) nor the old
 *   limit with it gone (which admitted calls above the new limit). If threads are queued, the new
 *   room goes to them in order, as after a plain release.
 * - Queueing: under the lock, a thread either takes a free permit (if nobody is queued) or sets the
 *   queued bit with a compare-and-set on the same word it found full. Because the counts, the limit
 *   and the bit change together, a release can never slip between "no permit free" and "I am
 *   queued" and leave a waiter asleep beside a free permit: every step that makes room reads the
 *   bit in the word it wrote, and drains the queue under the lock when it is set.
 *
 * The queued bit changes only under the lock, together with the queue, so under the lock the bit is
 * set exactly when the queue is not empty; the number of queued threads is kept beside it for
 * reading. Each waiter has its own Condition, so a grant wakes exactly the thread it is meant for. A
 * waiter that times out or is interrupted removes itself; if a grant raced with its interrupt it
 * hands the permit on before it throws, so no permit leaks. When the limit falls, in-flight calls
 * finish normally and new ones wait or are refused until the count is below the new limit.
 */
/**
 * The permit counter and fair waiter queue shared by {@link Bulkhead} and {@link AdaptiveBulkhead}.
 */
final class PermitGate {

  private static final int LIMIT_SHIFT = 32;
  private static final long IN_FLIGHT_MASK = (1L << LIMIT_SHIFT) - 1;
  private static final long LIMIT_MASK = (long) Integer.MAX_VALUE << LIMIT_SHIFT;
  private static final long QUEUED = Long.MIN_VALUE; // the sign bit: a word < 0 has threads queued

  /** A queued thread; {@code granted} and {@code inFlight} are guarded by the gate's lock. */
  private static final class Waiter {
    final Condition condition;
    boolean granted;
    int inFlight;

    Waiter(Condition condition) {
      this.condition = condition;
    }
  }

  private final PaddedAtomicLong state; // alone on its cache line
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>(); // guarded by lock
  private volatile int queued; // the queue's size, written under the lock
  private final TimeSource time;

  PermitGate(int limit, TimeSource time) {
    this.state = new PaddedAtomicLong(withLimit(0L, limit));
    this.time = time;
  }

  private static int inFlight(long state) {
    return (int) (state & IN_FLIGHT_MASK);
  }

  private static int limit(long state) {
    return (int) ((state & LIMIT_MASK) >>> LIMIT_SHIFT);
  }

  private static long withLimit(long state, int limit) {
    return (state & ~LIMIT_MASK) | ((long) limit << LIMIT_SHIFT);
  }

  /** Whether a newcomer may take a permit: nobody queued and room below the limit. */
  private static boolean open(long state) {
    return state >= 0 && inFlight(state) < limit(state);
  }

  int limit() {
    return limit(state.get());
  }

  int inFlight() {
    return inFlight(state.get());
  }

  int queued() {
    return queued;
  }

  int available() {
    long s = state.get();
    return Math.max(0, limit(s) - inFlight(s));
  }

  /**
   * Takes a permit if one is free and nobody is queued.
   *
   * @return the in-flight count including this permit, or -1 if none was free
   */
  int tryAcquire() {
    int spins = 1;
    while (true) {
      long s = state.get();
      if (!open(s)) {
        return -1;
      }
      if (state.compareAndSet(s, s + 1)) {
        return inFlight(s) + 1;
      }
      // Lost to another caller, which has the line now: let it keep the line for a while before
      // reading again (see Backoff; measured in benchmarks/README.md).
      spins = Backoff.pause(spins);
    }
  }

  /**
   * Takes a permit, waiting in line for at most {@code maxWaitNanos} of the time source.
   *
   * @return the in-flight count including this permit, or -1 if none came in time
   * @throws InterruptedException if the thread is interrupted while it waits; it then holds no
   *     permit
   */
  int acquire(long maxWaitNanos) throws InterruptedException {
    int inFlight = tryAcquire();
    if (inFlight > 0 || maxWaitNanos <= 0) {
      return inFlight;
    }
    return acquireQueued(maxWaitNanos);
  }

  private int acquireQueued(long maxWaitNanos) throws InterruptedException {
    Waiter waiter = new Waiter(lock.newCondition());
    lock.lockInterruptibly();
    try {
      while (true) {
        long s = state.get();
        if (open(s)) {
          if (state.compareAndSet(s, s + 1)) {
            return inFlight(s) + 1;
          }
        } else if (state.compareAndSet(s, s | QUEUED)) {
          break;
        }
      }
      queue.addLast(waiter);
      queued = queue.size();
      drainLocked(); // room a release made while others were queued goes to the head now
      long remaining = maxWaitNanos;
      try {
        while (!waiter.granted) {
          if (remaining <= 0) {
            dequeueLocked(waiter);
            return -1;
          }
          remaining = time.awaitNanos(lock, waiter.condition, remaining);
        }
        return waiter.inFlight;
      } catch (InterruptedException | RuntimeException | Error e) {
        if (waiter.granted) {
          releaseLocked(); // granted just as we were interrupted: pass the permit on
        } else {
          dequeueLocked(waiter);
        }
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Returns one permit; hands it to the head of the queue if a thread is waiting. */
  void release() {
    // One atomic decrement, which cannot fail and retry as a compare-and-set can when threads
    // contend. If threads are queued, the permit just freed goes to the head of the queue: a
    // newcomer cannot take it first, because the fast acquire is closed while anyone is queued.
    if (state.decrementAndGet() >= 0) {
      return;
    }
    drain();
  }

  /**
   * Returns one permit and moves the limit to {@code newLimit} in the same atomic step, so no
   * acquirer judges by the new limit while the returned permit still counts, nor by the old one
   * once it is gone; queued threads then take whatever room there is, in arrival order.
   */
  void release(int newLimit) {
    long next;
    while (true) {
      long s = state.get();
      next = withLimit(s, newLimit) - 1;
      if (state.compareAndSet(s, next)) {
        break;
      }
    }
    if (next < 0) {
      drain();
    }
  }

  private void drain() {
    lock.lock();
    try {
      drainLocked();
    } finally {
      lock.unlock();
    }
  }

  private void releaseLocked() {
    state.decrementAndGet();
    drainLocked();
  }

  private void dequeueLocked(Waiter waiter) {
    if (queue.remove(waiter)) {
      queued = queue.size();
      if (queue.isEmpty()) {
        while (true) {
          long s = state.get();
          if (state.compareAndSet(s, s & ~QUEUED)) {
            break;
          }
        }
      }
      drainLocked();
    }
  }

  /** Grants free permits to queued threads, head first. Call with the lock held. */
  private void drainLocked() {
    while (true) {
      long s = state.get();
      if (s >= 0 || inFlight(s) >= limit(s)) {
        return;
      }
      long next = queue.size() == 1 ? (s + 1) & ~QUEUED : s + 1;
      if (state.compareAndSet(s, next)) {
        Waiter head = queue.pollFirst();
        queued = queue.size();
        head.granted = true;
        head.inFlight = inFlight(s) + 1;
        head.condition.signal();
      }
    }
  }

  @Override
  public String toString() {
    long s = state.get();
    return "inFlight=" + inFlight(s) + ", limit=" + limit(s) + ", queued=" + queued;
  }
}
