package dev.bulwark.lifecycle;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.testing.TrackingThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Periodic schedules in virtual time: every tick is read off a ManualTimeSource. */
class PeriodicTaskTest {

  private final ManualTimeSource time = new ManualTimeSource();
  private final List<Duration> runs = Collections.synchronizedList(new ArrayList<>());
  private final Semaphore ran = new Semaphore(0);
  private final TrackingThreads threads = new TrackingThreads();
  private final Recorder<SupervisorEvent> events = new Recorder<>();
  private Supervisor supervisor;

  @AfterEach
  void stopAndCheckThreads() throws InterruptedException {
    if (supervisor != null) {
      SupervisorFixture.stopInVirtualTime(time, supervisor);
    }
    threads.assertNoThreadLeftBehind();
  }

  private void start(PeriodicTask task) throws StartupException {
    start(task, RestartPolicy.never());
  }

  private void start(PeriodicTask task, RestartPolicy restart) throws StartupException {
    supervisor =
        Supervisor.builder("s")
            .worker("tick", task, c -> c.restart(restart))
            .timeSource(time)
            .threadFactory(threads)
            .build();
    supervisor.subscribe(events);
    supervisor.start();
  }

  /** Records the virtual time of an iteration. */
  private void record() {
    runs.add(time.elapsed());
    ran.release();
  }

  /** Waits until {@code n} iterations have run and the task waits for the next tick. */
  private void awaitRuns(int n) throws InterruptedException {
    assertThat(ran.tryAcquire(n, 10, TimeUnit.SECONDS)).as("%d iterations", n).isTrue();
    time.awaitWaiters(1);
  }

  @Test
  void runsAtAFixedRateAfterTheInitialDelay() {
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          start(
              PeriodicTask.fixedRate(ofSeconds(1))
                  .initialDelay(ofMillis(500))
                  .build(ctx -> record()));
          time.awaitWaiters(1);
          for (int i = 1; i <= 3; i++) {
            time.advance(i == 1 ? ofMillis(500) : ofSeconds(1));
            awaitRuns(1);
          }
          assertThat(runs).containsExactly(ofMillis(500), ofMillis(1500), ofMillis(2500));
        });
  }

  @Test
  void keepsTheFixedRateGridWhenIterationsTakeTime() {
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          start(
              PeriodicTask.fixedRate(ofSeconds(1))
                  .build(
                      ctx -> {
                        record();
                        time.advance(ofMillis(300)); // the iteration takes 300 ms
                      }));
          awaitRuns(1);
          time.advance(ofMillis(700));
          awaitRuns(1);
          time.advance(ofMillis(700));
          awaitRuns(1);
          assertThat(runs).containsExactly(Duration.ZERO, ofSeconds(1), ofSeconds(2));
        });
  }

  @Test
  void skipsMissedTicksUnderAFixedRateInsteadOfBursting() {
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          start(
              PeriodicTask.fixedRate(ofSeconds(1))
                  .build(
                      ctx -> {
                        record();
                        if (runs.size() == 2) {
                          time.advance(ofMillis(2500)); // overruns the ticks at 2 s and 3 s
                        }
                      }));
          awaitRuns(1);
          time.advance(ofSeconds(1)); // run 2 at 1 s, ends at 3.5 s
          awaitRuns(1);
          assertThat(time.elapsed()).isEqualTo(ofMillis(3500));
          time.advance(ofMillis(500));
          awaitRuns(1);
          time.advance(ofSeconds(1));
          awaitRuns(1);
          assertThat(runs).containsExactly(Duration.ZERO, ofSeconds(1), ofSeconds(4), ofSeconds(5));
        });
  }

  @Test
  void waitsTheDelayAfterEachIterationUnderAFixedDelay() {
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          start(
              PeriodicTask.fixedDelay(ofSeconds(1))
                  .build(
                      ctx -> {
                        record();
                        time.advance(ofMillis(300));
                      }));
          awaitRuns(1);
          time.advance(ofSeconds(1));
          awaitRuns(1);
          time.advance(ofSeconds(1));
          awaitRuns(1);
          assertThat(runs).containsExactly(Duration.ZERO, ofMillis(1300), ofMillis(2600));
        });
  }

  @Test
  void addsJitterDrawnFromTheGivenGeneratorWithoutMovingTheGrid() {
    RandomGenerator quarter =
        new RandomGenerator() {
          @Override
          public long nextLong() {
            throw new UnsupportedOperationException();
          }

          @Override
          public long nextLong(long bound) {
            return bound / 4;
          }
        };
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          start(
              PeriodicTask.fixedRate(ofSeconds(1))
                  .jitter(ofMillis(400))
                  .random(quarter)
                  .build(ctx -> record()));
          time.awaitWaiters(1);
          time.advance(ofMillis(100));
          awaitRuns(1);
          time.advance(ofSeconds(1));
          awaitRuns(1);
          time.advance(ofSeconds(1));
          awaitRuns(1);
          assertThat(runs).containsExactly(ofMillis(100), ofMillis(1100), ofMillis(2100));
        });
  }

  @Test
  void logsAFailedIterationAndContinuesByDefault() {
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          start(
              PeriodicTask.fixedRate(ofSeconds(1))
                  .build(
                      ctx -> {
                        record();
                        if (runs.size() == 1) {
                          throw new IllegalStateException("first iteration fails on purpose");
                        }
                      }));
          awaitRuns(1);
          time.advance(ofSeconds(1));
          awaitRuns(1);
          assertThat(runs).containsExactly(Duration.ZERO, ofSeconds(1));
          assertThat(supervisor.health().component("tick").orElseThrow().state())
              .isEqualTo(ComponentState.RUNNING);
        });
  }

  @Test
  void failsTheWorkerWithoutRestartWhenTheErrorPolicyIsFail() {
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          IllegalStateException boom = new IllegalStateException("boom");
          start(
              PeriodicTask.fixedRate(ofSeconds(1))
                  .onError(PeriodicTask.OnError.FAIL)
                  .build(
                      ctx -> {
                        throw boom;
                      }),
              RestartPolicy.onFailure(
                  Backoff.fixed(ofSeconds(1)).build(), 5, Duration.ofMinutes(1)));
          events.await(
              SupervisorEvent.ComponentStateChanged.class, e -> e.to() == ComponentState.FAILED);
          ComponentHealth health = supervisor.health().component("tick").orElseThrow();
          assertThat(health.state()).isEqualTo(ComponentState.FAILED);
          assertThat(health.lastFailure()).contains(boom);
          assertThat(health.restarts()).isZero();
          assertThat(supervisor.health().live()).isFalse();
          assertThat(events.events(SupervisorEvent.RestartScheduled.class)).isEmpty();
        });
  }

  @Test
  void handsTheFailureToTheRestartPolicyWhenTheErrorPolicyIsRestart() {
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          start(
              PeriodicTask.fixedRate(ofSeconds(1))
                  .onError(PeriodicTask.OnError.RESTART)
                  .build(
                      ctx -> {
                        record();
                        if (runs.size() == 1) {
                          throw new IllegalStateException("restart me");
                        }
                      }),
              RestartPolicy.onFailure(
                  Backoff.fixed(ofSeconds(5)).build(), 5, Duration.ofMinutes(1)));
          assertThat(ran.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
          SupervisorEvent.RestartScheduled restart =
              events.await(SupervisorEvent.RestartScheduled.class, e -> true);
          assertThat(restart.delay()).isEqualTo(ofSeconds(5));
          time.awaitWaiters(1);
          time.advance(ofSeconds(5));
          awaitRuns(1);
          assertThat(runs).containsExactly(Duration.ZERO, ofSeconds(5));
          assertThat(supervisor.health().component("tick").orElseThrow().restarts()).isEqualTo(1);
        });
  }

  @Test
  void stopsAtOnceWhileWaitingForTheNextTick() {
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          start(PeriodicTask.fixedRate(Duration.ofHours(1)).build(ctx -> record()));
          awaitRuns(1);
          ShutdownReport report = supervisor.stop();
          assertThat(report.component("tick").orElseThrow().outcome())
              .isEqualTo(ShutdownReport.Outcome.GRACEFUL);
          assertThat(report.elapsed()).isEqualTo(Duration.ZERO);
        });
  }

  @Test
  void aTaskWaitingForItsNextTickIsNotStalledButAHungIterationIs() {
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          java.util.concurrent.CountDownLatch hang = new java.util.concurrent.CountDownLatch(1);
          PeriodicTask task =
              PeriodicTask.fixedRate(ofSeconds(60))
                  .build(
                      ctx -> {
                        record();
                        if (runs.size() == 2) {
                          hang.await(); // the second iteration hangs (until the stop interrupts)
                        }
                      });
          supervisor =
              Supervisor.builder("s")
                  .worker("refresh", task, c -> c.stallLimit(ofSeconds(30)))
                  .timeSource(time)
                  .threadFactory(threads)
                  .build();
          supervisor.start();
          awaitRuns(1);
          time.advance(ofSeconds(45)); // idle, waiting for the tick at 60 s
          ComponentHealth idle = supervisor.health().component("refresh").orElseThrow();
          assertThat(idle.healthy()).as("waiting for its next tick is not a stall").isTrue();
          assertThat(supervisor.health().live()).isTrue();
          time.advance(ofSeconds(15)); // the tick at 60 s: the iteration hangs
          assertThat(ran.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
          time.advance(ofSeconds(31));
          assertThat(supervisor.health().component("refresh").orElseThrow().healthy())
              .as("an iteration that hangs beyond the stall limit is a stall")
              .isFalse();
        });
  }

  @Test
  void aFailedIterationThatTheTaskSurvivesIsItsLastFailureAndAnEventToCount() {
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          start(
              PeriodicTask.fixedRate(ofSeconds(1))
                  .build(
                      ctx -> {
                        record();
                        if (runs.size() <= 2) {
                          throw new IllegalStateException("iteration " + runs.size() + " fails");
                        }
                      }));
          awaitRuns(1);
          time.advance(ofSeconds(1));
          awaitRuns(1);
          time.advance(ofSeconds(1));
          awaitRuns(1);
          ComponentHealth health = supervisor.health().component("tick").orElseThrow();
          assertThat(health.state()).isEqualTo(ComponentState.RUNNING);
          assertThat(health.lastFailure().orElseThrow()).hasMessage("iteration 2 fails");
          assertThat(events.events(SupervisorEvent.IterationFailed.class))
              .extracting(e -> e.component(), e -> e.failure().getMessage())
              .containsExactly(
                  org.assertj.core.groups.Tuple.tuple("tick", "iteration 1 fails"),
                  org.assertj.core.groups.Tuple.tuple("tick", "iteration 2 fails"));
        });
  }
}
