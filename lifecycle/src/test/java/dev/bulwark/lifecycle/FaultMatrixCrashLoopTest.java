package dev.bulwark.lifecycle;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.lifecycle.ShutdownReport.Outcome;
import dev.bulwark.lifecycle.SupervisorEvent.RestartScheduled;
import dev.bulwark.resilience.backoff.Backoff;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The fault matrix of a worker that crashes in a loop: growing backoff, then escalation. */
class FaultMatrixCrashLoopTest extends FaultMatrixFixture {

  @Test
  void aWorkerCrashingInALoopRestartsWithGrowingBackoffThenEscalates() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          AtomicInteger crashes = new AtomicInteger();
          Supervisor s =
              watch(
                  Supervisor.builder("app")
                      .resource("db", new LoggingResource("db", log))
                      .worker(
                          "crasher",
                          ctx -> {
                            crashes.incrementAndGet();
                            throw new IllegalStateException("crash " + crashes.get());
                          },
                          c ->
                              c.restart(
                                  RestartPolicy.onFailure(
                                      Backoff.exponential(ofMillis(100), ofSeconds(10)).build(),
                                      3,
                                      Duration.ofMinutes(1))))
                      .timeSource(time)
                      .threadFactory(threads)
                      .build());
          s.start();
          for (int restart = 1; restart <= 3; restart++) {
            int n = restart;
            RestartScheduled scheduled =
                events.await(RestartScheduled.class, e -> e.restart() == n);
            time.awaitWaiters(1);
            time.advance(scheduled.delay());
          }
          SupervisorEvent.Escalated escalated =
              events.await(SupervisorEvent.Escalated.class, e -> true);
          assertThat(escalated.component()).isEqualTo("crasher");
          assertThat(escalated.cause()).hasMessage("crash 4");
          assertThat(events.events(RestartScheduled.class))
              .extracting(RestartScheduled::delay)
              .containsExactly(ofMillis(100), ofMillis(200), ofMillis(400));
          ShutdownReport report = s.stop(); // the escalation's stop, the same report
          assertThat(s.state()).isEqualTo(Supervisor.State.FAILED);
          assertThat(report.component("db").orElseThrow().outcome()).isEqualTo(Outcome.GRACEFUL);
          assertThat(log).containsExactly("start db", "stop db");
          assertThat(s.health().live()).isFalse();
          assertThat(s.health().component("crasher").orElseThrow().restarts()).isEqualTo(3);
          assertThat(crashes).hasValue(4);
        });
  }
}
