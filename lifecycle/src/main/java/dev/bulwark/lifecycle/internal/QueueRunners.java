package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.ShutdownReport;
import dev.bulwark.lifecycle.UnfinishedJob;
import dev.bulwark.resilience.TimeSource;
import java.time.Duration;
import java.util.List;

/**
 * A job queue's runners as a stop drives them: start, and the steps of a stop, which its
 * supervisor's component drives or {@link #stopAlone} for a queue used on its own. The queue
 * implements it; the component sees nothing else of the queue.
 *
 * @param <J> the job type
 */
public interface QueueRunners<J> {

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
  List<UnfinishedJob<J>> handBack(boolean abandoned);

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

  /**
   * Stops a queue used without a supervisor: the one stop protocol inside a budget of {@code grace
   * + interruptTimeout}, then the hand-back. An interrupt of the calling thread cuts the waits
   * short and is restored.
   *
   * @param time the time source to wait on
   * @param grace how long the runners may drain the queue
   * @param interruptTimeout how long to wait after interrupting them
   * @return the unfinished jobs
   */
  default List<UnfinishedJob<J>> stopAlone(
      TimeSource time, Duration grace, Duration interruptTimeout) {
    Budget budget = Budget.of(time, saturatedSum(grace, interruptTimeout));
    boolean abandoned =
        StopProtocol.stop(stopTarget(time), grace, interruptTimeout, budget)
            == ShutdownReport.Outcome.ABANDONED;
    List<UnfinishedJob<J>> result = handBack(abandoned);
    if (budget.wasInterrupted()) {
      Thread.currentThread().interrupt();
    }
    return result;
  }

  private static Duration saturatedSum(Duration a, Duration b) {
    try {
      return a.plus(b);
    } catch (ArithmeticException e) {
      return Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
    }
  }
}
