package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.WorkerContext;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;

/** The context of one run of a worker. Its stop flag is set under the component's lock. */
public final class RunContext implements WorkerContext {

  private final WorkerComponent component;
  volatile boolean stopping;
  volatile boolean idle;

  RunContext(WorkerComponent component) {
    this.component = component;
  }

  @Override
  public String name() {
    return component.name;
  }

  @Override
  public boolean isStopping() {
    return stopping;
  }

  @Override
  public boolean awaitStop(Duration timeout) throws InterruptedException {
    Checks.notNull(timeout, "timeout");
    if (stopping) {
      return true;
    }
    long nanos = Durations.saturatedNanos(timeout);
    component.lock.lock();
    try {
      return component.awaitLocked(() -> stopping, nanos);
    } finally {
      component.lock.unlock();
    }
  }

  /**
   * Waits like {@link #awaitStop(Duration)}, for a worker that is idle by its schedule (a periodic
   * task between ticks): the wait is not a stall, however long it is, and ends with a heartbeat.
   *
   * @param timeout the longest wait
   * @return true if the stop was requested
   * @throws InterruptedException if the worker's thread is interrupted
   */
  public boolean awaitStopIdle(Duration timeout) throws InterruptedException {
    idle = true;
    try {
      return awaitStop(timeout);
    } finally {
      heartbeat();
      idle = false;
    }
  }

  /**
   * A periodic task's iteration failed and the task goes on: the component records it.
   *
   * @param failure what the iteration threw
   */
  public void iterationFailed(Throwable failure) {
    component.iterationFailed(failure);
  }

  @Override
  public void heartbeat() {
    component.lastHeartbeat = component.time.nanoTime();
  }

  @Override
  public TimeSource timeSource() {
    return component.time;
  }

  @Override
  public String toString() {
    return "WorkerContext[" + component.name + (stopping ? ", stopping]" : "]");
  }
}
