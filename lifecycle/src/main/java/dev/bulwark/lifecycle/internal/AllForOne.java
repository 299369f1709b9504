package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.ShutdownReport;
import dev.bulwark.resilience.TimeSource;
import java.util.List;

/**
 * The all-for-one strategy: before a failed worker restarts, the other running workers are stopped
 * through the one stop protocol (reverse order, grace then interrupt), and after it they run again.
 */
final class AllForOne implements ComponentHost.Siblings {

  private final TimeSource time;
  private final List<WorkerComponent> workers;

  AllForOne(TimeSource time, List<WorkerComponent> workers) {
    this.time = time;
    this.workers = workers;
  }

  @Override
  public boolean pause(WorkerComponent failed) {
    // only a stop interrupts a worker's thread: then the restart will not happen, and the stop
    // stops the siblings
    Budget budget = Budget.yieldingToInterrupt(time);
    for (int i = workers.size() - 1; i >= 0; i--) {
      WorkerComponent w = workers.get(i);
      if (w != failed) {
        ShutdownReport.Outcome o =
            StopProtocol.stop(
                pauseTarget(w), w.config.grace(), w.config.interruptTimeout(), budget);
        if (budget.gaveUp()) {
          return true;
        }
        if (o == ShutdownReport.Outcome.ABANDONED) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public void resume(WorkerComponent failed) {
    for (WorkerComponent w : workers) {
      if (w != failed) {
        w.resume();
      }
    }
  }

  /**
   * A worker as the target of an all-for-one pause: its signal is {@link WorkerComponent#pause()}.
   */
  private static StopProtocol.Target pauseTarget(WorkerComponent w) {
    return new StopProtocol.Target() {
      @Override
      public boolean signal() {
        return w.pause();
      }

      @Override
      public boolean awaitTerminated(long nanos) throws InterruptedException {
        return w.awaitTerminated(nanos);
      }

      @Override
      public void interrupt() {
        w.interruptThreads();
      }
    };
  }
}
