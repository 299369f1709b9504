package dev.bulwark.lifecycle;

import static java.time.Duration.ofSeconds;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.testing.TrackingThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;

/**
 * What the fault-matrix tests share: virtual time, tracked threads, recorded events, and workers
 * that ignore the stop signal, or the interrupt too, until the test releases them.
 */
abstract class FaultMatrixFixture {

  static final Duration LIMIT = ofSeconds(10);

  final ManualTimeSource time = new ManualTimeSource();

  final List<String> log = Collections.synchronizedList(new ArrayList<>());

  final TrackingThreads threads = new TrackingThreads();

  final Recorder<SupervisorEvent> events = new Recorder<>();

  /** Released at the end of each test, so that deliberately stubborn workers end too. */
  final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void releaseStubbornWorkersAndCheckThreads() throws InterruptedException {
    release.countDown();
    threads.assertNoThreadLeftBehind();
  }

  /** Ignores the stop signal, honours the interrupt. */
  Worker deaf(CountDownLatch running) {
    return ctx -> {
      running.countDown();
      release.await();
    };
  }

  /** Ignores the stop signal and every interrupt, until the test releases it. */
  Worker stubborn(CountDownLatch running, CountDownLatch interrupted) {
    return ctx -> {
      running.countDown();
      while (true) {
        try {
          release.await();
          return;
        } catch (InterruptedException ignored) {
          interrupted.countDown();
        }
      }
    };
  }

  Supervisor watch(Supervisor supervisor) {
    supervisor.subscribe(events);
    return supervisor;
  }
}
