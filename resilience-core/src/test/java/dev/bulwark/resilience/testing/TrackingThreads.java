package dev.bulwark.resilience.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;

/**
 * A virtual-thread factory that remembers every thread it made, so that a test can check that no
 * thread is left behind: virtual threads do not show up in {@code Thread.getAllStackTraces()}.
 * Shared by every module's tests through resilience-core's test jar.
 */
public final class TrackingThreads implements ThreadFactory {

  private final ThreadFactory delegate;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  /** Creates a factory whose threads are named {@code tracked-<n>}. */
  public TrackingThreads() {
    this("tracked-");
  }

  /**
   * Creates a factory whose threads are named {@code <prefix><n>}.
   *
   * @param prefix the start of every thread's name
   */
  public TrackingThreads(String prefix) {
    this.delegate = Thread.ofVirtual().name(prefix, 0).factory();
  }

  @Override
  public Thread newThread(Runnable r) {
    Thread t = delegate.newThread(r);
    threads.add(t);
    return t;
  }

  /**
   * Returns every thread made so far, in order.
   *
   * @return a copy of the list
   */
  public List<Thread> threads() {
    return List.copyOf(threads);
  }

  /**
   * Returns how many threads were made so far.
   *
   * @return the count
   */
  public int created() {
    return threads.size();
  }

  /**
   * Joins every started thread made so far, each within the timeout (in real time).
   *
   * @param timeout the most to wait for each thread
   * @return the threads still alive afterwards
   * @throws InterruptedException if the test thread is interrupted
   */
  public List<Thread> joinAll(Duration timeout) throws InterruptedException {
    List<Thread> alive = new ArrayList<>();
    for (Thread t : threads) {
      if (t.getState() != Thread.State.NEW && !t.join(timeout)) {
        alive.add(t);
      }
    }
    return alive;
  }

  /**
   * Asserts that every thread made so far has ended (or was never started), waiting up to {@code
   * timeout} for each.
   *
   * @param timeout the most to wait for each thread
   * @throws InterruptedException if the test thread is interrupted
   */
  public void assertAllEnded(Duration timeout) throws InterruptedException {
    assertThat(joinAll(timeout)).as("threads left behind").isEmpty();
  }

  /**
   * Asserts that every thread made so far has ended, waiting up to 5 s for each.
   *
   * @throws InterruptedException if the test thread is interrupted
   */
  public void assertNoThreadLeftBehind() throws InterruptedException {
    assertAllEnded(Duration.ofSeconds(5));
  }
}
