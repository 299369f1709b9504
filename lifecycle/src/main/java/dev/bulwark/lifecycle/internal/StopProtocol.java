package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.ShutdownReport.Outcome;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;

/**
 * The one stop protocol of the module: stop signal, grace, interrupt, interrupt timeout, abandon,
 * each wait inside a {@link Budget}. The supervisor's stop, the pause of the siblings in an
 * all-for-one restart and {@code JobQueue.stop} all run it.
 */
public final class StopProtocol {

  private StopProtocol() {}

  /** What the protocol stops. */
  public interface Target {

    /**
     * Sends the stop signal for good.
     *
     * @return true if something runs that the stop must now wait for
     */
    boolean signal();

    /**
     * Waits until nothing of the target runs any more.
     *
     * @param nanos the most to wait
     * @return false if the time ran out first
     * @throws InterruptedException if the waiting thread is interrupted
     */
    boolean awaitTerminated(long nanos) throws InterruptedException;

    /** Interrupts every thread of the target. */
    void interrupt();

    /**
     * Returns true if the calling thread is the target's own: it got the signal, and cannot end
     * before the stop returns to it, so it is not waited for.
     *
     * @return whether the stop runs on the target's own thread
     */
    default boolean runsOnCurrentThread() {
      return false;
    }
  }

  /**
   * Stops {@code target}: the signal, at most {@code grace} for it to end, then the interrupt and
   * at most {@code interruptTimeout} more, each wait cut short by {@code budget}.
   *
   * @param target what to stop
   * @param grace its grace period
   * @param interruptTimeout its time after the interrupt
   * @param budget the budget of the whole stop
   * @return {@code NOT_RUNNING} if nothing ran, {@code GRACEFUL}, {@code INTERRUPTED}, or {@code
   *     ABANDONED} if it still ran when its time (or the budget) was up, or the budget {@linkplain
   *     Budget#gaveUp() gave up}
   */
  public static Outcome stop(
      Target target, Duration grace, Duration interruptTimeout, Budget budget) {
    if (!target.signal()) {
      return Outcome.NOT_RUNNING;
    }
    if (target.runsOnCurrentThread()) {
      return Outcome.GRACEFUL;
    }
    if (await(target, Durations.saturatedNanos(grace), budget)) {
      return Outcome.GRACEFUL;
    }
    if (budget.gaveUp()) {
      return Outcome.ABANDONED;
    }
    target.interrupt();
    return await(target, Durations.saturatedNanos(interruptTimeout), budget)
        ? Outcome.INTERRUPTED
        : Outcome.ABANDONED;
  }

  /*
   * An interrupt of the stopping thread spends the budget; the target gets one last look (a wait
   * of zero), so that one that has ended is reported as what it did.
   */
  private static boolean await(Target target, long phase, Budget budget) {
    try {
      return target.awaitTerminated(budget.left(phase));
    } catch (InterruptedException e) {
      budget.markInterrupted();
      try {
        return target.awaitTerminated(0);
      } catch (InterruptedException again) {
        return false;
      }
    }
  }
}
