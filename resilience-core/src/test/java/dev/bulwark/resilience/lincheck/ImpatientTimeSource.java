package dev.bulwark.resilience.lincheck;

import dev.bulwark.resilience.TimeSource;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A time source for linearizability checks of blocking structures: every timed wait gives its lock
 * up once (so another thread may signal or hand over in that window) and then times out, so a
 * waiter really queues but an operation never blocks for good. The clock stands still and sleeps
 * return at once.
 */
public final class ImpatientTimeSource implements TimeSource {

  @Override
  public long nanoTime() {
    return 0L;
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before sleeping " + duration);
    }
  }

  /** Releases and re-takes {@code lock} once (through a zero-length wait), then times out. */
  @Override
  public long awaitNanos(Lock lock, Condition condition, long nanos) throws InterruptedException {
    condition.awaitNanos(0L);
    return 0L;
  }
}
