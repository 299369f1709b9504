package dev.bulwark.lifecycle;

import java.util.List;

/** A {@link JobQueue} as a component of a supervisor. */
final class JobQueueComponent extends Component {

  private final JobQueue<?> queue;

  JobQueueComponent(
      String name, Supervisor.ComponentConfig config, ComponentHost host, JobQueue<?> q) {
    super(name, config, host);
    this.queue = q;
  }

  @Override
  void start(long timeoutNanos) {
    moveTo(ComponentState.STARTING, null);
    try {
      queue.startRunners();
    } catch (RuntimeException | Error e) {
      lastFailure = e;
      moveTo(ComponentState.FAILED, e);
      throw e;
    }
    moveTo(ComponentState.RUNNING, null);
  }

  @Override
  boolean retire() {
    boolean live = queue.closeIntake();
    if (live) {
      moveTo(ComponentState.STOPPING, null);
    }
    return live;
  }

  @Override
  public boolean awaitTerminated(long nanos) throws InterruptedException {
    return queue.awaitRunners(time, nanos);
  }

  @Override
  void interruptThreads() {
    queue.interruptRunners();
  }

  @Override
  List<UnfinishedJob<?>> afterStop(ShutdownReport.Outcome outcome) {
    if (outcome == ShutdownReport.Outcome.NOT_RUNNING
        && (state() == ComponentState.RUNNING || state() == ComponentState.STARTING)) {
      moveTo(ComponentState.STOPPED, null);
    }
    return List.copyOf(queue.handBack(outcome == ShutdownReport.Outcome.ABANDONED));
  }
}
