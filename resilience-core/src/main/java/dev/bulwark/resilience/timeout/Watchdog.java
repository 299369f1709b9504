package dev.bulwark.resilience.timeout;

import dev.bulwark.resilience.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one thread per {@link Timeout} that interrupts calls whose deadline has passed.
 *
 * <p><b>How is this designed, and why?</b> A timeout that starts a thread (or submits a task to a
 * scheduler) per call costs microseconds and hundreds of bytes per call; Failsafe's does. Here a
 * call only puts its {@link WatchedDeadline} into a slot of an array and clears the slot when it
 * returns: one compare-and-set and one release store, no lock, and the deadline object is the only
 * allocation.
 *
 * <ul>
 *   <li><b>Slots.</b> A call picks a slot by hashing its thread id to a cache line of its own and
 *       probes a few neighbours for a free one; if all are taken it adds a new segment twice as
 *       large, and later calls use the newest segment, so the older ones drain. Memory is bounded
 *       by the peak number of calls in flight (not by calls per second, as a queue with lazy
 *       removal would be), and segments are never removed, so a slot can never be written into a
 *       segment the watchdog no longer scans.
 *   <li><b>Waking.</b> The watchdog scans every slot, fires the deadlines that have passed and
 *       publishes in {@code wakeAt} when it will scan next: at the earliest deadline left, or, with
 *       none left, one timeout from now. One Timeout gives every call the same duration, so a new
 *       call's deadline is never earlier than {@code wakeAt} and the call needs no signal. Only a
 *       call with an earlier deadline (an inherited one), or one that arrives while the watchdog
 *       scans or has stopped, takes the lock to wake or start it. The call writes its slot before
 *       it reads the watchdog's {@code phase}, and the watchdog writes {@code phase} before it
 *       reads the slots, so either the scan sees the call or the call sees that it must signal (a
 *       Dekker-style handshake over volatile accesses).
 *   <li><b>Idling.</b> With no call in flight for a keep-alive of one second, the watchdog ends;
 *       the next call starts a new one. It is a virtual (daemon) thread, so it never keeps the JVM
 *       alive, and an unused Timeout holds no thread.
 *   <li><b>Firing.</b> See {@link WatchedDeadline#fire()}: a state CAS decides whether the call
 *       returned first or the watchdog fired first, so a thread that has left the call is never
 *       interrupted, and the caller clears the interrupt only once it has been delivered.
 * </ul>
 *
 * <p>Deadlines are checked in scan order, not in deadline order; every passed deadline is fired by
 * the same scan, so a deadline fires late by at most the time to scan the slots.
 */
final class Watchdog {

  static final long KEEP_ALIVE_NANOS = Duration.ofSeconds(1).toNanos();

  /** Slots per 64-byte cache line with compressed references; threads start on different lines. */
  private static final int LINE = 16;

  private static final int INITIAL_SLOTS = 8 * LINE;
  private static final int PROBES = 8;

  private static final int STOPPED = 0;
  private static final int SCANNING = 1;
  private static final int TIMED = 2;

  private final String threadName;
  private final TimeSource time;
  private final long timeoutNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();

  private volatile List<AtomicReferenceArray<WatchedDeadline>> segments;
  private volatile AtomicReferenceArray<WatchedDeadline> newest;
  private volatile int phase = STOPPED;
  private volatile long wakeAt;

  // guarded by lock
  private boolean signalled;
  private Thread thread;

  Watchdog(String threadName, TimeSource time, long timeoutNanos) {
    this.threadName = threadName;
    this.time = time;
    this.timeoutNanos = timeoutNanos;
    this.newest = new AtomicReferenceArray<>(INITIAL_SLOTS);
    this.segments = List.of(newest);
  }

  /** Puts the call's deadline under watch; lock-free unless the watchdog must be woken. */
  void register(WatchedDeadline node) {
    int hash = (int) ((node.thread.threadId() * 0x9E3779B97F4A7C15L) >>> 40);
    while (true) {
      AtomicReferenceArray<WatchedDeadline> segment = newest;
      int mask = segment.length() - 1;
      // Start at the beginning of a cache line chosen by the thread, so that calls on different
      // threads rarely write to the same line; a nested call on the same thread takes the next
      // slot.
      int start = (hash * LINE) & mask;
      for (int i = 0; i < PROBES; i++) {
        int index = (start + i) & mask;
        if (segment.getPlain(index) == null && segment.compareAndSet(index, null, node)) {
          node.segment = segment;
          node.slot = index;
          if (phase != TIMED || node.nanoTime() - wakeAt < 0) {
            wake();
          }
          return;
        }
      }
      grow(segment);
    }
  }

  /** Takes the call's deadline off watch; the call has returned. */
  void deregister(WatchedDeadline node) {
    node.segment.setRelease(node.slot, null);
  }

  private void grow(AtomicReferenceArray<WatchedDeadline> full) {
    lock.lock();
    try {
      if (newest == full) {
        var bigger = new AtomicReferenceArray<WatchedDeadline>(full.length() * 2);
        List<AtomicReferenceArray<WatchedDeadline>> all = new ArrayList<>(segments);
        all.add(bigger);
        segments = List.copyOf(all);
        newest = bigger;
      }
    } finally {
      lock.unlock();
    }
  }

  private void wake() {
    lock.lock();
    try {
      if (thread == null) {
        phase = SCANNING;
        // No inherited thread-locals: this long-lived thread must not keep a caller's context.
        thread =
            Thread.ofVirtual()
                .name(threadName)
                .inheritInheritableThreadLocals(false)
                .unstarted(this::run);
        thread.start();
      } else {
        signalled = true;
        wake.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    lock.lock();
    try {
      long idleSince = 0;
      boolean idle = false;
      while (true) {
        signalled = false;
        phase = SCANNING;
        long now = time.nanoTime();
        boolean any = false;
        long earliest = 0;
        for (AtomicReferenceArray<WatchedDeadline> segment : segments) {
          for (int i = 0, n = segment.length(); i < n; i++) {
            WatchedDeadline node = segment.get(i);
            if (node == null || node.state() != WatchedDeadline.ACTIVE) {
              continue;
            }
            if (now - node.nanoTime() >= 0) {
              node.fire();
            } else if (!any || node.nanoTime() - earliest < 0) {
              any = true;
              earliest = node.nanoTime();
            }
          }
        }
        long wait;
        if (any) {
          idle = false;
          wait = earliest - now;
        } else {
          if (!idle) {
            idle = true;
            idleSince = now;
          }
          long idleLeft = KEEP_ALIVE_NANOS - (now - idleSince);
          if (idleLeft <= 0 && !signalled) {
            return; // the finally block marks the watchdog stopped, under the lock
          }
          // Wake again no later than one timeout from now: every call that registers meanwhile
          // has a deadline at least that late, so it need not signal (see the class comment).
          wait = Math.max(1, Math.min(idleLeft, timeoutNanos));
        }
        wakeAt = now + wait;
        phase = TIMED;
        if (!signalled) {
          time.awaitNanos(lock, wake, wait);
        }
      }
    } catch (InterruptedException e) {
      // Someone interrupted the watchdog itself: end it; the next call that needs one starts one.
    } finally {
      phase = STOPPED;
      thread = null;
      lock.unlock();
    }
  }

  /** For tests: the watchdog thread, or null while none runs. */
  Thread thread() {
    lock.lock();
    try {
      return thread;
    } finally {
      lock.unlock();
    }
  }
}
