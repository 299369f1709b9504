package dev.bulwark.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A virtual-thread factory that remembers every thread it made, so that a test can check that no
 * thread is left behind: virtual threads do not show up in {@code Thread.getAllStackTraces()}.
 */
final class TrackingThreadFactory implements ThreadFactory {

  private final ThreadFactory delegate = Thread.ofVirtual().name("tracked-", 0).factory();
  private final ReentrantLock lock = new ReentrantLock();
  private final List<Thread> threads = new ArrayList<>();

  @Override
  public Thread newThread(Runnable r) {
    Thread t = delegate.newThread(r);
    lock.lock();
    try {
      threads.add(t);
    } finally {
      lock.unlock();
    }
    return t;
  }

  List<Thread> threads() {
    lock.lock();
    try {
      return List.copyOf(threads);
    } finally {
      lock.unlock();
    }
  }

  int created() {
    return threads().size();
  }

  /**
   * Joins every thread made so far, each within the timeout (in real time), and returns the live.
   */
  List<Thread> joinAll(Duration timeout) throws InterruptedException {
    List<Thread> alive = new ArrayList<>();
    for (Thread t : threads()) {
      if (t.getState() != Thread.State.NEW && !t.join(timeout)) {
        alive.add(t);
      }
    }
    return alive;
  }

  /** Asserts that every thread made so far has ended (or was never started). */
  void assertNoThreadLeftBehind() throws InterruptedException {
    assertThat(joinAll(Duration.ofSeconds(5))).as("threads left behind").isEmpty();
  }
}
