package dev.bulwark.lifecycle;

import java.time.Duration;

/** The settings of a worker: those of every component, and its restart policy and stall limit. */
public final class WorkerSettings extends ComponentSettings {
  RestartPolicy restart = RestartPolicy.never();
  boolean restartSet;
  Duration stallLimit;
  boolean stallLimitSet;

  WorkerSettings() {}

  @Override
  public WorkerSettings startTimeout(Duration startTimeout) {
    super.startTimeout(startTimeout);
    return this;
  }

  @Override
  public WorkerSettings grace(Duration grace) {
    super.grace(grace);
    return this;
  }

  @Override
  public WorkerSettings interruptTimeout(Duration interruptTimeout) {
    super.interruptTimeout(interruptTimeout);
    return this;
  }

  /**
   * Sets the restart policy (default {@link RestartPolicy#never()}).
   *
   * @param restart the policy
   * @return these settings
   */
  public WorkerSettings restart(RestartPolicy restart) {
    this.restart = restart;
    this.restartSet = true;
    return this;
  }

  /**
   * Sets the heartbeat age beyond which the running worker is unhealthy (default: none). Must be
   * positive. A {@link PeriodicTask} waiting for its next tick is not stalled, so for it the limit
   * bounds how long one iteration may hang, whatever the period.
   *
   * @param stallLimit the stall limit
   * @return these settings
   */
  public WorkerSettings stallLimit(Duration stallLimit) {
    this.stallLimit = stallLimit;
    this.stallLimitSet = true;
    return this;
  }
}
