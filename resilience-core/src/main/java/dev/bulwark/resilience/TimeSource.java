package dev.bulwark.resilience;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * The one seam through which Bulwark reads time and waits.
 *
 * <p>Every policy, stream and worker takes a {@code TimeSource} on its builder. {@link #system()}
 * is the default; {@link ManualTimeSource} advances only when told, so tests of retries, breakers
 * and limiters run in virtual time with no real sleeping.
 *
 * <p>There are two kinds of wait. {@link #sleep(Duration)} waits for time alone. {@link
 * #awaitNanos(Lock, Condition, long)} waits on a condition that another thread may signal early (a
 * bulkhead queue, a worker's stop signal); with a manual source the wait also ends when the source
 * is advanced past its deadline. Implementations must keep both interruptible.
 */
public interface TimeSource {

  /**
   * Returns the current value of this source in nanoseconds. Only differences between two values of
   * the same source are meaningful, as with {@link System#nanoTime()}; compare them by subtraction,
   * never with {@code <}, so that wrap-around is harmless.
   *
   * @return the current time of this source in nanoseconds
   */
  long nanoTime();

  /**
   * Blocks the calling thread for the given duration of this source's time. A duration of zero or
   * less returns at once.
   *
   * @param duration how long to wait
   * @throws InterruptedException if the thread is interrupted before or while it waits; the
   *     interrupt status is then cleared, as with {@link Thread#sleep(long)}
   * @throws NullPointerException if {@code duration} is null
   */
  void sleep(Duration duration) throws InterruptedException;

  /**
   * Waits on {@code condition}, whose {@code lock} the caller holds, until it is signalled, the
   * thread is interrupted, or {@code nanos} of this source's time have passed. Like {@link
   * Condition#awaitNanos(long)} it may also return spuriously, so callers wait in a loop that
   * re-checks their state.
   *
   * @param lock the lock that {@code condition} belongs to, held by the calling thread
   * @param condition the condition to wait on
   * @param nanos the most time to wait, in nanoseconds of this source
   * @return an estimate of the nanoseconds left of {@code nanos} on return; zero or less means the
   *     time is up
   * @throws InterruptedException if the thread is interrupted before or while it waits
   */
  long awaitNanos(Lock lock, Condition condition, long nanos) throws InterruptedException;

  /**
   * Returns the source backed by {@link System#nanoTime()} and the JDK's own timed waits.
   *
   * @return the system time source, a singleton
   */
  static TimeSource system() {
    return SystemTimeSource.INSTANCE;
  }
}

/** The default {@link TimeSource}: the JVM's monotonic clock and its timed waits. */
enum SystemTimeSource implements TimeSource {
  INSTANCE;

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    long nanos = duration.toNanos();
    if (nanos > 0) {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } else if (Thread.interrupted()) {
      throw new InterruptedException();
    }
  }

  @Override
  public long awaitNanos(Lock lock, Condition condition, long nanos) throws InterruptedException {
    return condition.awaitNanos(nanos);
  }

  @Override
  public String toString() {
    return "TimeSource.system()";
  }
}
