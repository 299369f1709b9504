package dev.bulwark.lifecycle;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;

/**
 * Explores the interleavings of a supervisor's stop racing a worker's own failure and restart with
 * Lincheck's model checker, which schedules the caller and every worker thread itself and tries a
 * different order of their lock, park and interrupt steps in each invocation.
 *
 * <p>The worker's first run fails at once and is restarted without delay; its second run waits for
 * the stop signal. The caller stops the supervisor meanwhile, in virtual time that never moves, so
 * the stop waits for the worker rather than giving up on it. Whatever the order: the stop returns a
 * report in which the worker stopped gracefully or was not running, no run starts after the stop
 * returned, every worker thread ends, and the supervisor is stopped.
 *
 * <p>{@code -Dbulwark.stress.scale=N} multiplies the explored interleavings.
 */
class SupervisorStopInterleavingTest {

  private static final int INVOCATIONS = 30 * Integer.getInteger("bulwark.stress.scale", 1);

  @Test
  void stopRacingAWorkersFailureAndRestartEndsEveryRunAndStartsNoneAfter() {
    // bounded by the invocation count; Lincheck fails an invocation that runs past 30 s as hung
    Lincheck.runConcurrentTest(
        INVOCATIONS, SupervisorStopInterleavingTest::stopRacesFailureAndRestart);
  }

  private static void stopRacesFailureAndRestart() {
    List<Thread> threads = new CopyOnWriteArrayList<>();
    AtomicInteger runs = new AtomicInteger();
    AtomicBoolean stopReturned = new AtomicBoolean();
    AtomicBoolean lateRun = new AtomicBoolean();
    CountDownLatch failing = new CountDownLatch(1);
    Supervisor supervisor =
        Supervisor.builder("race")
            .worker(
                "consumer",
                ctx -> {
                  if (stopReturned.get()) {
                    lateRun.set(true);
                  }
                  if (runs.incrementAndGet() == 1) {
                    failing.countDown();
                    throw new IOException("connection reset");
                  }
                  ctx.awaitStop(Duration.ofHours(1));
                },
                c ->
                    c.restart(
                        RestartPolicy.onFailure(
                            Backoff.fixed(Duration.ZERO).build(), 5, Duration.ofMinutes(1))))
            .timeSource(new ManualTimeSource())
            .threadFactory(
                task -> {
                  Thread t = new Thread(task);
                  threads.add(t);
                  return t;
                })
            .build();
    try {
      supervisor.start();
    } catch (StartupException e) {
      throw new AssertionError("the supervisor did not start", e);
    }
    try {
      failing.await();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    ShutdownReport report = supervisor.stop();
    stopReturned.set(true);
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        throw new AssertionError("interrupted while joining " + t, e);
      }
    }
    ShutdownReport.Outcome outcome = report.component("consumer").orElseThrow().outcome();
    if (outcome != ShutdownReport.Outcome.GRACEFUL
        && outcome != ShutdownReport.Outcome.NOT_RUNNING) {
      throw new AssertionError("the worker stopped " + outcome + ": " + report);
    }
    if (lateRun.get()) {
      throw new AssertionError("a restart ran the worker after stop() returned: " + report);
    }
    if (supervisor.state() != Supervisor.State.STOPPED) {
      throw new AssertionError("the supervisor is " + supervisor.state() + " after stop()");
    }
  }
}
