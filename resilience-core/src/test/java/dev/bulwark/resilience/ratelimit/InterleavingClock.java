package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.TimeSource;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A clock that runs another caller inside one of its readings, on the reading thread, and then
 * returns the time as it was before: the reading caller is held up at exactly that point while the
 * other runs whole, so a race is replayed deterministically on one thread.
 */
final class InterleavingClock implements TimeSource {

  private final ManualTimeSource time;
  private int readingsToSkip;
  private Runnable other;

  InterleavingClock(ManualTimeSource time) {
    this.time = time;
  }

  /** Runs {@code caller} during the next reading. */
  void duringNextReading(Runnable caller) {
    duringReading(1, caller);
  }

  /** Runs {@code caller} during the {@code n}-th reading from now (1 is the next). */
  void duringReading(int n, Runnable caller) {
    readingsToSkip = n - 1;
    other = caller;
  }

  /** Returns whether the other caller has run. */
  boolean ran() {
    return other == null;
  }

  @Override
  public long nanoTime() {
    long reading = time.nanoTime();
    if (other != null && readingsToSkip-- == 0) {
      Runnable caller = other;
      other = null; // its own readings are plain ones
      caller.run();
    }
    return reading;
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    time.sleep(duration);
  }

  @Override
  public long awaitNanos(Lock lock, Condition condition, long nanos) throws InterruptedException {
    return time.awaitNanos(lock, condition, nanos);
  }
}
