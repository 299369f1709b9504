package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.ComponentHealth;
import dev.bulwark.lifecycle.ComponentState;
import dev.bulwark.lifecycle.ShutdownReport;
import dev.bulwark.lifecycle.Supervisor.ComponentConfig;
import dev.bulwark.lifecycle.UnfinishedJob;
import dev.bulwark.resilience.TimeSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One supervised component: the state, heartbeat and failure bookkeeping shared by workers,
 * resources and job queues, and the four steps of a stop (signal, await, interrupt, await) that
 * {@link Supervisor} drives. Each component has its own lock and condition, so that signalling one
 * of ten thousand workers wakes only that worker.
 */
public abstract sealed class Component implements StopProtocol.Target
    permits WorkerComponent, ResourceComponent, JobQueueComponent {

  final String name;
  final ComponentConfig config;
  final ComponentHost host;
  final TimeSource time;
  final ReentrantLock lock = new ReentrantLock();
  final Condition changed = lock.newCondition();

  private volatile ComponentState state = ComponentState.NEW;
  volatile long lastHeartbeat;
  volatile int restarts;
  volatile Throwable lastFailure;
  volatile Throwable stopFailure;

  Component(String name, ComponentConfig config, ComponentHost host) {
    this.name = name;
    this.config = config;
    this.host = host;
    this.time = host.timeSource();
  }

  /**
   * Returns the component's name.
   *
   * @return the name
   */
  public final String name() {
    return name;
  }

  final ComponentState state() {
    return state;
  }

  /**
   * Sets the state; the caller holds {@link #lock}. Returns the previous state, which the caller
   * passes to {@link #published} once it has released the lock.
   */
  final ComponentState setStateLocked(ComponentState to) {
    ComponentState from = state;
    state = to;
    changed.signalAll();
    return from;
  }

  /** Sets the state and publishes the change. Call with no lock held. */
  final void moveTo(ComponentState to, Throwable failure) {
    ComponentState from;
    lock.lock();
    try {
      from = setStateLocked(to);
    } finally {
      lock.unlock();
    }
    published(from, to, failure);
  }

  /** Moves to {@code to} only from {@code expected}, publishing the change. */
  final void compareAndMove(ComponentState expected, ComponentState to) {
    ComponentState from;
    lock.lock();
    try {
      if (state != expected) {
        return;
      }
      from = setStateLocked(to);
    } finally {
      lock.unlock();
    }
    published(from, to, null);
  }

  /** Publishes a state change made under the lock; call after releasing it. */
  final void published(ComponentState from, ComponentState to, Throwable failure) {
    if (from != to) {
      host.changed(name, from, to, failure);
    }
  }

  /**
   * Starts the component, waiting at most {@code timeoutNanos} for it to be up.
   *
   * @throws Exception the start's failure, a {@link java.util.concurrent.TimeoutException}, or a
   *     {@link java.util.concurrent.CancellationException} if {@link #cancelStart()} came first
   */
  abstract void start(long timeoutNanos) throws Exception;

  /** Makes a start in progress give up at once; the supervisor calls it when a stop arrives. */
  void cancelStart() {}

  /**
   * Sends the stop signal for good (no start or restart follows) and moves a running component to
   * {@link ComponentState#STOPPING}.
   *
   * @return true if something was running that the stop must now wait for
   */
  abstract boolean retire();

  @Override
  public final boolean signal() {
    return retire();
  }

  @Override
  public final void interrupt() {
    interruptThreads();
  }

  @Override
  public final boolean runsOnCurrentThread() {
    return runsOn(Thread.currentThread());
  }

  /** Waits until nothing of the component runs any more; false if the time ran out first. */
  @Override
  public abstract boolean awaitTerminated(long nanos) throws InterruptedException;

  /** Interrupts every thread of the component. */
  abstract void interruptThreads();

  /** Maps the outcome of the stop's waits to what is reported; the same by default. */
  ShutdownReport.Outcome outcome(ShutdownReport.Outcome awaited) {
    return awaited;
  }

  /** Returns true if {@code t} is the thread that runs this component's own code. */
  boolean runsOn(Thread t) {
    return false;
  }

  /** Called once the stop's outcome is known; a job queue hands back its unfinished jobs. */
  List<UnfinishedJob<?>> afterStop(ShutdownReport.Outcome outcome) {
    return List.of();
  }

  /** Waits on this component's condition until {@code done} holds; the caller holds the lock. */
  final boolean awaitLocked(java.util.function.BooleanSupplier done, long nanos)
      throws InterruptedException {
    while (!done.getAsBoolean()) {
      if (nanos <= 0) {
        return false;
      }
      nanos = time.awaitNanos(lock, changed, nanos);
    }
    return true;
  }

  /** Returns the component's health now; a worker adds its heartbeat and stall. */
  ComponentHealth health(long now) {
    ComponentState s = state;
    return new ComponentHealth(
        name,
        s,
        s != ComponentState.FAILED,
        Optional.empty(),
        restarts,
        Optional.ofNullable(lastFailure));
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + name + ", " + state + "]";
  }
}
