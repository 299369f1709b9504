package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.ComponentState;
import dev.bulwark.lifecycle.ShutdownReport;
import dev.bulwark.lifecycle.Supervisor.ComponentConfig;
import dev.bulwark.lifecycle.UnfinishedJob;
import java.util.List;

/** A job queue as a component of a supervisor. */
public final class JobQueueComponent extends Component {

  private final QueueRunners<?> queue;

  /**
   * Creates the component of a job queue.
   *
   * @param name its name (the queue's)
   * @param config its settings
   * @param host the supervisor as the component sees it
   * @param queue the queue's runners
   */
  public JobQueueComponent(
      String name, ComponentConfig config, ComponentHost host, QueueRunners<?> queue) {
    super(name, config, host);
    this.queue = queue;
  }

  @Override
  void start(long timeoutNanos) {
    moveTo(ComponentState.STARTING, null);
    try {
      queue.start();
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
    return queue.await(time, nanos);
  }

  @Override
  void interruptThreads() {
    queue.interrupt();
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
