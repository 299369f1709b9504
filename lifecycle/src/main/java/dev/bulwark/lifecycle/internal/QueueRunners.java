package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.UnfinishedJob;
import dev.bulwark.resilience.TimeSource;
import java.util.List;

/**
 * A job queue's runners as its supervisor drives them: start, and the steps of a stop. The queue
 * implements it; the component sees nothing else of the queue.
 */
public interface QueueRunners {

  /**
   * Starts the runners.
   *
   * @throws IllegalStateException if they were started or stopped before
   */
  void start();

  /**
   * Takes no more jobs.
   *
   * @return true if runners are live and must be awaited
   */
  boolean closeIntake();

  /**
   * Waits until no runner other than the calling thread is live.
   *
   * @param time the time source to wait on
   * @param nanos the longest wait
   * @return false if the time ran out first
   * @throws InterruptedException if the waiting thread is interrupted
   */
  boolean await(TimeSource time, long nanos) throws InterruptedException;

  /** Interrupts every runner but the calling thread. */
  void interrupt();

  /**
   * Hands back the unfinished jobs, once; later calls return the same list.
   *
   * @param abandoned whether the running jobs were abandoned (and are handed back too)
   * @return the unfinished jobs
   */
  List<? extends UnfinishedJob<?>> handBack(boolean abandoned);

  /**
   * Returns the runners as the target of the stop protocol.
   *
   * @param time the time source to wait on
   * @return the target
   */
  default StopProtocol.Target stopTarget(TimeSource time) {
    return new StopProtocol.Target() {
      @Override
      public boolean signal() {
        return closeIntake();
      }

      @Override
      public boolean awaitTerminated(long nanos) throws InterruptedException {
        return await(time, nanos);
      }

      @Override
      public void interrupt() {
        QueueRunners.this.interrupt();
      }
    };
  }
}
