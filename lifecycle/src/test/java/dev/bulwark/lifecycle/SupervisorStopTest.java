package dev.bulwark.lifecycle;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.lifecycle.SupervisorEvent.ComponentStateChanged;
import dev.bulwark.lifecycle.SupervisorEvent.ReadinessChanged;
import dev.bulwark.lifecycle.SupervisorEvent.StateChanged;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The stop: events and report, readiness and the drain delay, stops that throw or cannot get a
 * thread, and a stop from inside a component, in virtual time.
 */
class SupervisorStopTest extends SupervisorFixture {

  @Test
  void publishesEveryStateChangeAndTheReport() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          build(builder().resource("db", new LoggingResource("db", log))).start();
          ShutdownReport report = supervisor.stop();
          assertThat(events.events())
              .containsExactly(
                  new StateChanged("app", Supervisor.State.NEW, Supervisor.State.STARTING),
                  new ComponentStateChanged(
                      "app", "db", ComponentState.NEW, ComponentState.STARTING, null),
                  new ComponentStateChanged(
                      "app", "db", ComponentState.STARTING, ComponentState.RUNNING, null),
                  new StateChanged("app", Supervisor.State.STARTING, Supervisor.State.RUNNING),
                  new ReadinessChanged("app", true),
                  new ReadinessChanged("app", false),
                  new StateChanged("app", Supervisor.State.RUNNING, Supervisor.State.STOPPING),
                  new ComponentStateChanged(
                      "app", "db", ComponentState.RUNNING, ComponentState.STOPPING, null),
                  new ComponentStateChanged(
                      "app", "db", ComponentState.STOPPING, ComponentState.STOPPED, null),
                  new StateChanged("app", Supervisor.State.STOPPING, Supervisor.State.STOPPED),
                  new SupervisorEvent.Stopped("app", report));
        });
  }

  @Test
  void turnsReadinessFalseThenWaitsTheDrainDelayBeforeStoppingAnything() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          build(builder().resource("db", new LoggingResource("db", log)).drainDelay(ofSeconds(5)))
              .start();
          Async<ShutdownReport> stopping = Async.run(supervisor::stop);
          time.awaitWaiters(1);
          assertThat(supervisor.health().ready()).isFalse();
          assertThat(supervisor.state()).isEqualTo(Supervisor.State.STOPPING);
          time.advance(ofSeconds(4));
          assertThat(log).containsExactly("start db");
          time.advance(ofSeconds(1));
          ShutdownReport report = stopping.get();
          assertThat(log).containsExactly("start db", "stop db");
          assertThat(report.elapsed()).isEqualTo(ofSeconds(5));
        });
  }

  @Test
  void recordsAStopThatThrowsAndGoesOn() throws Exception {
    ManagedResource broken =
        new ManagedResource() {
          @Override
          public void start() {}

          @Override
          public void stop() throws IOException {
            throw new IOException("socket already closed");
          }
        };
    build(builder().resource("db", new LoggingResource("db", log)).resource("broken", broken))
        .start();
    ShutdownReport report = supervisor.stop();
    assertThat(report.component("broken").orElseThrow().failure().orElseThrow())
        .hasMessage("socket already closed");
    assertThat(supervisor.health().component("broken").orElseThrow().state())
        .isEqualTo(ComponentState.FAILED);
    assertThat(log).containsExactly("start db", "stop db");
  }

  @Test
  void aStopThatCannotStartAComponentsStopThreadStillReturnsOneReportToEveryCaller() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          AtomicBoolean refuse = new AtomicBoolean();
          ThreadFactory factory =
              r -> {
                if (refuse.get()) {
                  throw new RejectedExecutionException("thread limit reached");
                }
                return threads.newThread(r);
              };
          build(
                  Supervisor.builder("app")
                      .timeSource(time)
                      .threadFactory(factory)
                      .resource("db", new LoggingResource("db", log))
                      .worker("relay", idle(log, "relay"), c -> c.grace(ofSeconds(1))))
              .start();
          refuse.set(true);
          ShutdownReport report = stopInVirtualTime(time, supervisor);
          assertThat(report.component("relay").orElseThrow().outcome())
              .isEqualTo(ShutdownReport.Outcome.GRACEFUL);
          ShutdownReport.ComponentReport db = report.component("db").orElseThrow();
          assertThat(db.outcome()).isEqualTo(ShutdownReport.Outcome.ABANDONED);
          assertThat(db.failure().orElseThrow()).hasMessage("thread limit reached");
          assertThat(supervisor.state()).isEqualTo(Supervisor.State.STOPPED);
          Async<ShutdownReport> again = Async.run(supervisor::stop);
          assertThat(again.awaitDone(ofSeconds(5))).as("a second stop() returns").isTrue();
          assertThat(again.get()).isSameAs(report);
        });
  }

  @Test
  void aWorkerThatStopsTheSupervisorIsNotWaitedForByItsOwnStop() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch fatal = new CountDownLatch(1);
          CompletableFuture<ShutdownReport> stoppedByWatchdog = new CompletableFuture<>();
          LoggingResource db = new LoggingResource("db", log);
          build(
                  builder()
                      .resource("db", db)
                      .worker(
                          "watchdog",
                          ctx -> {
                            fatal.await();
                            stoppedByWatchdog.complete(supervisor.stop()); // "this is fatal"
                          })
                      .worker("relay", idle(log, "relay")))
              .start();
          fatal.countDown();
          // no time passes: the stop must not wait for the worker that runs it
          ShutdownReport report = stoppedByWatchdog.get(5, TimeUnit.SECONDS);
          assertThat(report.components())
              .extracting(
                  ShutdownReport.ComponentReport::name, ShutdownReport.ComponentReport::outcome)
              .containsExactly(
                  org.assertj.core.groups.Tuple.tuple("relay", ShutdownReport.Outcome.GRACEFUL),
                  org.assertj.core.groups.Tuple.tuple("watchdog", ShutdownReport.Outcome.GRACEFUL),
                  org.assertj.core.groups.Tuple.tuple("db", ShutdownReport.Outcome.GRACEFUL));
          assertThat(report.elapsed()).isZero();
          assertThat(log).containsExactly("start db", "run relay", "end relay", "stop db");
        });
  }

  @Test
  void aJobThatStopsTheSupervisorIsNotWaitedForByItsOwnStop() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CompletableFuture<ShutdownReport> stoppedByJob = new CompletableFuture<>();
          JobQueue<String> jobs =
              JobQueue.<String>builder(
                      "jobs",
                      job -> {
                        if (job.equals("fatal")) {
                          stoppedByJob.complete(supervisor.stop()); // "this is fatal"
                        }
                      })
                  .concurrency(2)
                  .timeSource(time)
                  .threadFactory(threads)
                  .build();
          build(
                  builder()
                      .resource("db", new LoggingResource("db", log))
                      .jobQueue(jobs)
                      .worker("relay", idle(log, "relay")))
              .start();
          JobHandle<String> fatal = jobs.submit("fatal");
          // no time passes: the stop must wait neither for the job that runs it nor its runner
          ShutdownReport report = stoppedByJob.get(5, TimeUnit.SECONDS);
          assertThat(report.components())
              .extracting(
                  ShutdownReport.ComponentReport::name, ShutdownReport.ComponentReport::outcome)
              .containsExactly(
                  org.assertj.core.groups.Tuple.tuple("relay", ShutdownReport.Outcome.GRACEFUL),
                  org.assertj.core.groups.Tuple.tuple("jobs", ShutdownReport.Outcome.GRACEFUL),
                  org.assertj.core.groups.Tuple.tuple("db", ShutdownReport.Outcome.GRACEFUL));
          assertThat(report.elapsed()).isZero();
          assertThat(report.unfinishedJobs()).isEmpty();
          assertThat(fatal.await(ofSeconds(5))).isEqualTo(JobHandle.Status.SUCCEEDED);
        });
  }
}
