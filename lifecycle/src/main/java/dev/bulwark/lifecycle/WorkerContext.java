package dev.bulwark.lifecycle;

import dev.bulwark.resilience.TimeSource;
import java.time.Duration;

/**
 * What a running {@link Worker} sees of its supervisor: the stop signal, a heartbeat, its name and
 * the supervisor's time source. One context belongs to one run of a worker; a restarted worker gets
 * a fresh one.
 */
public interface WorkerContext {

  /**
   * Returns the name the worker was registered with.
   *
   * @return the component's name
   */
  String name();

  /**
   * Returns true once the supervisor has asked this run to stop.
   *
   * @return whether stop was requested
   */
  boolean isStopping();

  /**
   * Waits until stop is requested or {@code timeout} has passed on the supervisor's time source,
   * whichever comes first: the replacement for sleeping in a loop.
   *
   * @param timeout the most time to wait; zero or negative checks without waiting
   * @return true if stop was requested (possibly before the call), false if the time passed
   * @throws InterruptedException if the thread is interrupted while it waits (the supervisor
   *     interrupts a worker that outlives its grace period)
   * @throws NullPointerException if {@code timeout} is null
   */
  boolean awaitStop(Duration timeout) throws InterruptedException;

  /**
   * Records that the worker is alive and making progress. A worker registered with a stall limit is
   * reported unhealthy once its last heartbeat is older than that limit.
   */
  void heartbeat();

  /**
   * Returns the time source of the supervisor running this worker, for workers that measure time (a
   * {@link PeriodicTask} reads its schedule from it).
   *
   * @return the supervisor's time source
   */
  TimeSource timeSource();
}
