package dev.bulwark.lifecycle;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.testing.TrackingThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * What the supervisor tests share: virtual time, tracked threads, recorded events, a stop at the
 * end.
 */
abstract class SupervisorFixture {

  static final Duration LIMIT = ofSeconds(10);

  final ManualTimeSource time = new ManualTimeSource();

  final List<String> log = Collections.synchronizedList(new ArrayList<>());

  final TrackingThreads threads = new TrackingThreads();

  final Recorder<SupervisorEvent> events = new Recorder<>();

  Supervisor supervisor;

  @AfterEach
  void stopAndCheckThreads() throws InterruptedException {
    if (supervisor != null) {
      stopInVirtualTime(time, supervisor);
    }
    threads.assertNoThreadLeftBehind();
  }

  /** Stops, advancing the virtual time a second at a time until every grace period has passed. */
  static ShutdownReport stopInVirtualTime(ManualTimeSource time, Supervisor supervisor)
      throws InterruptedException {
    Async<ShutdownReport> stopping = Async.run(supervisor::stop);
    for (int i = 0; i < 1000 && !stopping.awaitDone(ofMillis(5)); i++) {
      time.advance(ofSeconds(1));
    }
    try {
      return stopping.get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  SupervisorBuilder builder() {
    return Supervisor.builder("app").timeSource(time).threadFactory(threads);
  }

  Supervisor build(SupervisorBuilder b) {
    supervisor = b.build();
    supervisor.subscribe(events);
    return supervisor;
  }

  static Worker idle(List<String> log, String name) {
    return ctx -> {
      log.add("run " + name);
      ctx.awaitStop(Duration.ofDays(1));
      log.add("end " + name);
    };
  }
}
