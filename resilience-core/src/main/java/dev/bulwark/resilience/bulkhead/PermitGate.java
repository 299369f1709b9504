package dev.bulwark.resilience.bulkhead;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.PaddedAtomicLong;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/*
 * How the gate works, and why.
 *
 * One AtomicLong holds two counts: the permits in flight (low 32 bits) and the threads queued for
 * a permit (high 32 bits). Keeping both in one word is what lets the common path stay lock-free
 * without giving up fairness:
 *
 * - Fast acquire: a compare-and-set that adds one in-flight permit, allowed only while nobody is
 *   queued and the in-flight count is below the limit. A newcomer therefore never barges ahead of
 *   a queued waiter: as soon as one thread is queued the fast path is closed.
 * - Release: one atomic decrement of the in-flight count (it cannot fail and retry, as a
 *   compare-and-set can when threads contend). If the word it returns shows threads queued, the
 *   release then takes the lock and hands the freed permit to the head of the queue; no newcomer
 *   can take it in between, since the fast acquire is closed while anyone is queued, so permits
 *   go to waiters in arrival order.
 * - Queueing: under the lock, a thread either takes a free permit (if nobody is queued) or adds
 *   itself to the waiter count with a compare-and-set on the same word. Because the two counts
 *   change together, a release can never slip between "no permit free" and "I am queued" and leave
 *   a waiter asleep beside a free permit.
 *
 * The waiter count changes only under the lock, together with the queue, so under the lock
 * "waiters > 0" means the queue is not empty. Each waiter has its own Condition, so a grant wakes
 * exactly the thread it is meant for. A waiter that times out or is interrupted removes itself; if
 * a grant raced with its interrupt it hands the permit on before it throws, so no permit leaks.
 *
 * The limit is a volatile int so the adaptive bulkhead can move it; after it rises, drain() hands
 * the new room to queued waiters in order. When it falls, in-flight calls finish normally and new
 * ones wait or are refused until the count is below the new limit.
 */
/**
 * The permit counter and fair waiter queue shared by {@link Bulkhead} and {@link AdaptiveBulkhead}.
 */
final class PermitGate {

  private static final long ONE_WAITER = 1L << 32;
  private static final long IN_FLIGHT_MASK = ONE_WAITER - 1;

  /** A queued thread; {@code granted} and {@code inFlight} are guarded by the gate's lock. */
  private static final class Waiter {
    final Condition condition;
    boolean granted;
    int inFlight;

    Waiter(Condition condition) {
      this.condition = condition;
    }
  }

  private final PaddedAtomicLong state = new PaddedAtomicLong(0); // alone on its cache line
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>(); // guarded by lock
  private final TimeSource time;
  private volatile int limit;

  PermitGate(int limit, TimeSource time) {
    this.limit = limit;
    this.time = time;
  }

  private static int inFlight(long state) {
    return (int) (state & IN_FLIGHT_MASK);
  }

  private static int waiters(long state) {
    return (int) (state >>> 32);
  }

  int limit() {
    return limit;
  }

  int inFlight() {
    return inFlight(state.get());
  }

  int queued() {
    return waiters(state.get());
  }

  int available() {
    return Math.max(0, limit - inFlight());
  }

  /**
   * Takes a permit if one is free and nobody is queued.
   *
   * @return the in-flight count including this permit, or -1 if none was free
   */
  int tryAcquire() {
    while (true) {
      long s = state.get();
      if (waiters(s) != 0 || inFlight(s) >= limit) {
        return -1;
      }
      if (state.compareAndSet(s, s + 1)) {
        return inFlight(s) + 1;
      }
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
        if (waiters(s) == 0 && inFlight(s) < limit) {
          if (state.compareAndSet(s, s + 1)) {
            return inFlight(s) + 1;
          }
        } else if (state.compareAndSet(s, s + ONE_WAITER)) {
          break;
        }
      }
      queue.addLast(waiter);
      drainLocked(); // the limit may have risen between our read and the queueing
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
    if (waiters(state.decrementAndGet()) == 0) {
      return;
    }
    lock.lock();
    try {
      drainLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Moves the limit; if it rose, queued threads take the new room in arrival order. */
  void setLimit(int newLimit) {
    int old = limit;
    limit = newLimit;
    if (newLimit > old && waiters(state.get()) != 0) {
      lock.lock();
      try {
        drainLocked();
      } finally {
        lock.unlock();
      }
    }
  }

  private void releaseLocked() {
    state.decrementAndGet();
    drainLocked();
  }

  private void dequeueLocked(Waiter waiter) {
    if (queue.remove(waiter)) {
      state.addAndGet(-ONE_WAITER);
      drainLocked();
    }
  }

  /** Grants free permits to queued threads, head first. Call with the lock held. */
  private void drainLocked() {
    while (true) {
      long s = state.get();
      if (waiters(s) == 0 || inFlight(s) >= limit) {
        return;
      }
      if (state.compareAndSet(s, s - ONE_WAITER + 1)) {
        Waiter head = queue.pollFirst();
        head.granted = true;
        head.inFlight = inFlight(s) + 1;
        head.condition.signal();
      }
    }
  }

  @Override
  public String toString() {
    long s = state.get();
    return "inFlight=" + inFlight(s) + ", limit=" + limit + ", queued=" + waiters(s);
  }
}
