package dev.bulwark.lifecycle;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The settings every component has, given in the lambda of {@link
 * SupervisorBuilder#resource(String, ManagedResource, Consumer)} and {@link
 * SupervisorBuilder#jobQueue(JobQueue, Consumer)}; a worker's lambda gets {@link WorkerSettings},
 * which add what only a worker has. Validated by {@link SupervisorBuilder#build()}.
 */
public sealed class ComponentSettings permits WorkerSettings {
  Duration startTimeout = Supervisor.DEFAULT_START_TIMEOUT;
  Duration grace = Supervisor.DEFAULT_GRACE;
  Duration interruptTimeout = Supervisor.DEFAULT_INTERRUPT_TIMEOUT;

  ComponentSettings() {}

  /**
   * Sets how long the component's start may take (default 30 s). Must be positive.
   *
   * @param startTimeout the start timeout
   * @return these settings
   */
  public ComponentSettings startTimeout(Duration startTimeout) {
    this.startTimeout = startTimeout;
    return this;
  }

  /**
   * Sets how long the component has to stop after the stop signal (default 2 s). Must not be
   * negative; the supervisor's budget must hold the sum of all grace periods.
   *
   * @param grace the grace period
   * @return these settings
   */
  public ComponentSettings grace(Duration grace) {
    this.grace = grace;
    return this;
  }

  /**
   * Sets how long the component has to stop after its thread is interrupted, before it is abandoned
   * (default 1 s). Must not be negative. Paid from the budget beyond the grace periods still owed
   * to the components stopped later, so it may be cut short.
   *
   * @param interruptTimeout the interrupt timeout
   * @return these settings
   */
  public ComponentSettings interruptTimeout(Duration interruptTimeout) {
    this.interruptTimeout = interruptTimeout;
    return this;
  }
}
