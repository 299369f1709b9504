package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.ComponentState;
import dev.bulwark.resilience.TimeSource;

/**
 * What a component sees of its supervisor: its time source, a way to make threads, to publish its
 * events and to escalate. Components never hold the supervisor itself.
 */
public interface ComponentHost {

  /** The supervisor's name, for log messages. */
  String name();

  TimeSource timeSource();

  /** Makes (does not start) a thread for {@code task}; throws if the thread factory fails. */
  Thread newThread(Runnable task, String threadName);

  /** Publishes a state change of the component. */
  void changed(String component, ComponentState from, ComponentState to, Throwable failure);

  /** Publishes that a failed worker will restart after a delay. */
  void restartScheduled(String component, int restart, long delayNanos, Throwable cause);

  /** Publishes that an iteration of a periodic task failed and the task goes on. */
  void iterationFailed(String component, Throwable failure);

  /** A worker went beyond its restart intensity: the supervisor fails and stops everything. */
  void escalate(String component, Throwable cause);

  /**
   * The all-for-one strategy as a worker sees it: before its restart the other running workers are
   * paused, after it they run again.
   */
  interface Siblings {

    /**
     * Stops the other running workers; false if one could not be stopped (the worker escalates).
     */
    boolean pause(WorkerComponent failed);

    /** Restarts, in declared order, the workers that {@link #pause} stopped. */
    void resume(WorkerComponent failed);
  }
}
