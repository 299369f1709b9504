package dev.bulwark.lifecycle;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.lifecycle.ShutdownReport.ComponentReport;
import dev.bulwark.lifecycle.ShutdownReport.Outcome;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The fault matrix of the start: a start that fails midway, a stop during the start, starts given
 * up that succeed later or ignore the interrupt.
 */
class FaultMatrixStartTest extends FaultMatrixFixture {

  @Test
  void aStartThatFailsMidwayStopsTheStartedComponentsInReverse() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          LoggingResource c = new LoggingResource("c", log);
          c.failStart = new java.io.IOException("port 8080 in use");
          Supervisor s =
              Supervisor.builder("app")
                  .resource("a", new LoggingResource("a", log))
                  .resource("b", new LoggingResource("b", log))
                  .resource("c", c)
                  .resource("d", new LoggingResource("d", log))
                  .threadFactory(threads)
                  .build();
          StartupException failure =
              org.junit.jupiter.api.Assertions.assertThrows(StartupException.class, s::start);
          assertThat(failure.component()).isEqualTo("c");
          assertThat(failure.getCause()).isSameAs(c.failStart);
          assertThat(failure.getMessage())
              .isEqualTo(
                  "supervisor 'app' could not start component 'c': its start failed:"
                      + " java.io.IOException: port 8080 in use; the components started before"
                      + " it were stopped in reverse order");
          assertThat(log).containsExactly("start a", "start b", "stop b", "stop a");
          assertThat(s.state()).isEqualTo(Supervisor.State.FAILED);
          assertThat(s.shutdownReport().orElseThrow().components())
              .extracting(ComponentReport::name, ComponentReport::outcome)
              .containsExactly(
                  org.assertj.core.groups.Tuple.tuple("d", Outcome.NOT_RUNNING),
                  org.assertj.core.groups.Tuple.tuple("c", Outcome.NOT_RUNNING),
                  org.assertj.core.groups.Tuple.tuple("b", Outcome.GRACEFUL),
                  org.assertj.core.groups.Tuple.tuple("a", Outcome.GRACEFUL));
        });
  }

  @Test
  void aStopDuringTheStartCancelsTheStartInProgressAndStopsWhatStarted() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          LoggingResource b = new LoggingResource("b", log);
          b.blockStart = new CountDownLatch(1); // honours the interrupt
          Supervisor s =
              Supervisor.builder("app")
                  .resource("a", new LoggingResource("a", log))
                  .resource("b", b)
                  .resource("c", new LoggingResource("c", log))
                  .threadFactory(threads)
                  .build();
          Async<Void> starting =
              Async.run(
                  () -> {
                    s.start();
                    return null;
                  });
          b.startEntered.await();
          ShutdownReport report = s.stop();
          Throwable failure = starting.failure();
          assertThat(failure)
              .isInstanceOf(StartupException.class)
              .hasMessageContaining("could not start component 'b'")
              .hasMessageContaining("the supervisor was stopped while it started");
          assertThat(s.stop()).isSameAs(report);
          assertThat(log).containsExactly("start a", "stop a");
          assertThat(s.state()).isEqualTo(Supervisor.State.STOPPED);
          assertThat(report.component("a").orElseThrow().outcome()).isEqualTo(Outcome.GRACEFUL);
          assertThat(report.component("b").orElseThrow().outcome()).isEqualTo(Outcome.NOT_RUNNING);
        });
  }

  @Test
  void aStartGivenUpThatSucceedsLaterIsStoppedAtOnce() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch entered = new CountDownLatch(1);
          CountDownLatch stopped = new CountDownLatch(1);
          ManagedResource late =
              new ManagedResource() {
                @Override
                public void start() {
                  entered.countDown();
                  while (true) {
                    try {
                      release.await(); // ignores the interrupt of the abandoned start
                      log.add("start late");
                      return;
                    } catch (InterruptedException ignored) {
                      // keep starting
                    }
                  }
                }

                @Override
                public void stop() {
                  log.add("stop late");
                  stopped.countDown();
                }
              };
          Supervisor s =
              Supervisor.builder("app")
                  .resource( // the stop waits for the start still running, but not long
                      "late", late, c -> c.grace(Duration.ZERO).interruptTimeout(Duration.ZERO))
                  .threadFactory(threads)
                  .build();
          Async<Void> starting =
              Async.run(
                  () -> {
                    s.start();
                    return null;
                  });
          entered.await();
          s.stop();
          assertThat(starting.failure()).isInstanceOf(StartupException.class);
          release.countDown();
          stopped.await();
          assertThat(log).containsExactly("start late", "stop late");
        });
  }

  @Test
  void aStartGivenUpThatIgnoresTheInterruptIsReportedAbandonedNotNotRunning() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch entered = new CountDownLatch(1);
          CountDownLatch interrupted = new CountDownLatch(2);
          ManagedResource hung =
              new ManagedResource() {
                @Override
                public void start() {
                  entered.countDown();
                  while (true) {
                    try {
                      release.await(); // a driver's connect that ignores interrupts
                      log.add("start hung");
                      return;
                    } catch (InterruptedException ignored) {
                      interrupted.countDown();
                    }
                  }
                }

                @Override
                public void stop() {
                  log.add("stop hung");
                }
              };
          Supervisor s =
              watch(
                  Supervisor.builder("app")
                      .resource(
                          "hung",
                          hung,
                          c ->
                              c.startTimeout(ofSeconds(5))
                                  .grace(ofSeconds(1))
                                  .interruptTimeout(ofSeconds(1)))
                      .timeSource(time)
                      .threadFactory(threads)
                      .build());
          Async<Void> starting =
              Async.run(
                  () -> {
                    s.start();
                    return null;
                  });
          entered.await();
          time.awaitWaiters(1);
          time.advance(ofSeconds(5)); // the start times out; the failed start() stops everything
          for (int i = 0; i < 100 && !starting.awaitDone(ofMillis(5)); i++) {
            if (time.waiters() > 0) {
              time.advance(ofSeconds(1));
            }
          }
          assertThat(starting.failure()).isInstanceOf(StartupException.class);
          ComponentReport report = s.shutdownReport().orElseThrow().component("hung").orElseThrow();
          assertThat(report.outcome())
              .as("its start thread still runs, so the stop must not say it is not running")
              .isEqualTo(Outcome.ABANDONED);
          assertThat(interrupted.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
          release.countDown();
          threads.assertNoThreadLeftBehind();
          assertThat(log).containsExactly("start hung", "stop hung");
        });
  }
}
