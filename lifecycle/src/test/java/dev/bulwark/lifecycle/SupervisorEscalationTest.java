package dev.bulwark.lifecycle;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.backoff.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A worker beyond its restart intensity escalates: the supervisor stops itself, in virtual time.
 */
class SupervisorEscalationTest extends SupervisorFixture {

  @Test
  void anEscalationWhoseStopThreadCannotBeMadeStillStopsTheSupervisor() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          AtomicBoolean broken = new AtomicBoolean();
          ThreadFactory factory =
              task -> {
                if (broken.get()) {
                  throw new IllegalStateException("no more threads");
                }
                return threads.newThread(task);
              };
          Semaphore started = new Semaphore(0);
          Semaphore fail = new Semaphore(0);
          build(
                  Supervisor.builder("app")
                      .timeSource(time)
                      .threadFactory(factory)
                      .worker("relay", idle(log, "relay"))
                      .worker(
                          "crashy",
                          ctx -> {
                            started.release();
                            fail.acquire();
                            throw new IllegalStateException("corrupt state");
                          },
                          c ->
                              c.restart(
                                  RestartPolicy.onFailure(
                                      Backoff.fixed(ofSeconds(1)).build(), 1, ofSeconds(60)))))
              .start();
          started.acquire();
          broken.set(true);
          fail.release(); // restart 1 after 1 s, on the same thread
          while (!started.tryAcquire(5, TimeUnit.MILLISECONDS)) {
            if (time.waiters() > 1) { // relay's wait and crashy's backoff
              time.advance(ofSeconds(1));
            }
          }
          fail.release(); // a second restart within the window: escalation
          events.await(SupervisorEvent.Escalated.class, e -> true);
          Predicate<SupervisorEvent> stopped = e -> e instanceof SupervisorEvent.Stopped;
          for (int i = 0; i < 1000 && events.events().stream().noneMatch(stopped); i++) {
            started.tryAcquire(5, TimeUnit.MILLISECONDS); // a pause, never true here
            if (time.waiters() > 0) {
              time.advance(ofSeconds(1));
            }
          }
          assertThat(supervisor.state()).isEqualTo(Supervisor.State.FAILED);
          ShutdownReport report = supervisor.shutdownReport().orElseThrow();
          assertThat(report.component("relay").orElseThrow().outcome())
              .isEqualTo(ShutdownReport.Outcome.GRACEFUL);
        });
  }

  @Test
  void awaitTerminationReturnsTheReportOnceAnEscalationHasStoppedTheSupervisor() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          build(
              builder()
                  .worker(
                      "crash",
                      ctx -> {
                        throw new IOException("boom");
                      },
                      c ->
                          c.restart(
                              RestartPolicy.onFailure(
                                  Backoff.fixed(ofSeconds(1)).build(), 1, ofSeconds(60)))));
          assertThat(supervisor.awaitTermination(Duration.ZERO)).isEmpty();
          supervisor.start();
          time.awaitWaiters(1); // the first restart's backoff
          time.advance(ofSeconds(1)); // the second failure is beyond the intensity: escalation
          ShutdownReport report = supervisor.awaitTermination(Duration.ofDays(1)).orElseThrow();
          assertThat(supervisor.state()).isEqualTo(Supervisor.State.FAILED);
          assertThat(report).isSameAs(supervisor.shutdownReport().orElseThrow());
          assertThat(events.events(SupervisorEvent.Escalated.class)).hasSize(1);
        });
  }
}
