package dev.bulwark.resilience.timeout;

import dev.bulwark.resilience.TimeSource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A deadline that a {@link Timeout} enforces on one thread: the deadline the call sees and, in the
 * same small object, the watchdog's registration of that call (the thread to interrupt, the slot it
 * occupies and the state that settles the race between the call returning and the watchdog firing).
 * One allocation per call.
 */
final class WatchedDeadline extends Deadline {

  /** The call is running and may be interrupted. */
  static final int ACTIVE = 0;

  /** The call returned before the watchdog fired; the watchdog must leave the thread alone. */
  static final int DONE = 1;

  /** The watchdog won the race and is about to interrupt (or has just checked) the thread. */
  static final int FIRING = 2;

  /** The watchdog interrupted the thread: the call timed out and the interrupt is ours to clear. */
  static final int FIRED = 3;

  /**
   * The deadline passed while the thread was already interrupted by someone else: the call timed
   * out, but the interrupt status belongs to its owner and is left alone.
   */
  static final int FIRED_ALREADY_INTERRUPTED = 4;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(WatchedDeadline.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Thread thread;

  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state;

  AtomicReferenceArray<WatchedDeadline> segment;
  int slot;

  WatchedDeadline(TimeSource time, long deadlineNanos, Thread thread) {
    super(time, deadlineNanos);
    this.thread = thread;
  }

  int state() {
    return state;
  }

  /**
   * Called by the thread that ran the call, once it returns: true if the call finished in time (the
   * watchdog will never touch the thread now), false if the watchdog fired first.
   */
  boolean finish() {
    return STATE.compareAndSet(this, ACTIVE, DONE);
  }

  /**
   * Called by the watchdog once the deadline has passed. Interrupts the thread unless the call has
   * already returned; the state CAS makes sure a thread that has left the call is never
   * interrupted.
   */
  void fire() {
    if (!STATE.compareAndSet(this, ACTIVE, FIRING)) {
      return;
    }
    if (thread.isInterrupted()) {
      state = FIRED_ALREADY_INTERRUPTED;
    } else {
      thread.interrupt();
      state = FIRED;
    }
  }

  /**
   * Called by the thread that ran the call after {@link #finish()} returned false: waits until the
   * watchdog has delivered its interrupt (a few instructions), then clears that interrupt unless it
   * was not ours. Yields while it waits so that the watchdog, a virtual thread that may need this
   * carrier, can run.
   */
  void clearOurInterrupt() {
    int s;
    while ((s = state) == FIRING) {
      Thread.yield();
    }
    if (s == FIRED) {
      Thread.interrupted();
    }
  }
}
