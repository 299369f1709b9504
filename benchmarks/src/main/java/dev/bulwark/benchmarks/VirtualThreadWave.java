package dev.bulwark.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One wave of the virtual-thread scale scenario: {@code callers} virtual threads, released together
 * by one gate, each making {@code callsPerCaller} calls one after another through a protected call
 * whose work parks for {@link #WORK}. The wave ends when the last call returns.
 *
 * <p>Little's law gives the best any policy can do: with at most {@code concurrency} calls of
 * {@link #WORK} each in flight, the throughput is at most {@code concurrency / WORK}, so the wave
 * takes at least {@code calls · WORK / concurrency}. A call's added latency is its time through the
 * policy minus the work itself; with many more callers than permits most of it is the wait for a
 * permit, about {@code (callers − concurrency) · WORK / concurrency} for every call when the queue
 * is first come, first served.
 *
 * <p>The work also counts the calls in flight, so that a test can check that the policy really
 * bounded them.
 */
final class VirtualThreadWave {

  /** How long each protected call parks. */
  static final Duration WORK = Duration.ofMillis(10);

  private static final long WORK_NANOS = WORK.toNanos();

  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();

  /** A call made through the policy under test; it must run {@link #work()} exactly once. */
  @FunctionalInterface
  interface ProtectedCall {
    /**
     * Makes one call through the policy.
     *
     * @throws Exception whatever the policy or the work throws
     */
    void call() throws Exception;
  }

  /**
   * What one wave measured.
   *
   * @param calls the calls made (all succeeded)
   * @param elapsedNanos from the gate's opening to the last call's return
   * @param addedNanos each call's time through the policy minus {@link #WORK}, ascending
   * @param maxInFlight the most calls that were inside the work at once
   */
  record Result(int calls, long elapsedNanos, long[] addedNanos, int maxInFlight) {

    /**
     * Achieved throughput over the ideal one of Little's law.
     *
     * @param concurrency the calls the policy lets run at once
     * @return 1.0 when every permit was busy for the whole wave
     */
    double fractionOfIdeal(int concurrency) {
      double idealNanos = (double) calls * WORK_NANOS / concurrency;
      return idealNanos / elapsedNanos;
    }

    /**
     * A percentile of the added latency, nearest rank.
     *
     * @param percent in (0, 100]
     * @return milliseconds
     */
    double addedMillis(double percent) {
      int rank = (int) Math.ceil(percent / 100 * addedNanos.length);
      return addedNanos[Math.max(rank, 1) - 1] / 1e6;
    }
  }

  /**
   * The protected work: parks the calling (virtual) thread for {@link #WORK}.
   *
   * @return {@link Work#RESULT}
   * @throws IllegalStateException if the thread is interrupted (its interrupt status stays set)
   */
  Integer work() {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      long deadline = System.nanoTime() + WORK_NANOS;
      for (long left = WORK_NANOS; left > 0; left = deadline - System.nanoTime()) {
        if (Thread.currentThread().isInterrupted()) {
          throw new IllegalStateException("the benchmark's work was interrupted");
        }
        LockSupport.parkNanos(left);
      }
      return Work.RESULT;
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /**
   * Runs one wave.
   *
   * @param callers how many virtual threads
   * @param callsPerCaller how many calls each makes
   * @param call one call through the policy under test
   * @return what the wave measured
   * @throws InterruptedException if the benchmark thread is interrupted while it waits
   * @throws IllegalStateException if any call failed (the first failure is the cause)
   */
  Result run(int callers, int callsPerCaller, ProtectedCall call) throws InterruptedException {
    int calls = callers * callsPerCaller;
    long[] added = new long[calls];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    AtomicReference<Exception> firstFailure = new AtomicReference<>();
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(callers);
    maxInFlight.set(0);
    Runnable caller =
        () -> {
          try {
            gate.await();
            for (int i = 0; i < callsPerCaller; i++) {
              long start = System.nanoTime();
              call.call();
              added[next.getAndIncrement()] = System.nanoTime() - start - WORK_NANOS;
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.incrementAndGet();
            firstFailure.compareAndSet(null, e);
          } catch (Exception e) {
            failures.incrementAndGet();
            firstFailure.compareAndSet(null, e);
          } finally {
            done.countDown();
          }
        };
    List<Thread> threads = new ArrayList<>(callers);
    for (int i = 0; i < callers; i++) {
      threads.add(Thread.ofVirtual().name("caller-" + i).start(caller));
    }
    long start = System.nanoTime();
    gate.countDown();
    done.await();
    long elapsed = System.nanoTime() - start;
    for (Thread t : threads) {
      t.join();
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(
          failures.get() + " of " + callers + " callers failed; the first failure is the cause",
          firstFailure.get());
    }
    Arrays.sort(added);
    return new Result(calls, elapsed, added, maxInFlight.get());
  }
}
