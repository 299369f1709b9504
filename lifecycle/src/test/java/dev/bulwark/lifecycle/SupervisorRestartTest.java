package dev.bulwark.lifecycle;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.lifecycle.SupervisorEvent.ComponentStateChanged;
import dev.bulwark.lifecycle.SupervisorEvent.RestartScheduled;
import dev.bulwark.lifecycle.SupervisorEvent.StateChanged;
import dev.bulwark.resilience.backoff.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Restarts of failed workers, one-for-one and all-for-one, with backoff, in virtual time. */
class SupervisorRestartTest extends SupervisorFixture {

  @Test
  void restartsAFailedWorkerAfterTheBackoffAndResetsTheBackoffOutsideTheWindow() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Semaphore fail = new Semaphore(0);
          AtomicInteger runs = new AtomicInteger();
          Semaphore started = new Semaphore(0);
          build(
                  builder()
                      .worker(
                          "consumer",
                          ctx -> {
                            runs.incrementAndGet();
                            started.release();
                            fail.acquire();
                            throw new IOException("connection reset");
                          },
                          c ->
                              c.restart(
                                  RestartPolicy.onFailure(
                                      Backoff.exponential(ofSeconds(1), ofSeconds(60)).build(),
                                      2,
                                      ofSeconds(10)))))
              .start();
          started.acquire();
          fail.release(); // failure 1 at t=0: restart after 1 s
          time.awaitWaiters(1);
          time.advance(ofSeconds(1));
          started.acquire();
          time.advance(ofSeconds(20)); // the window forgets the first restart
          fail.release(); // failure 2 at t=21 s: the backoff starts afresh
          time.awaitWaiters(1);
          time.advance(ofSeconds(1));
          started.acquire();
          fail.release(); // failure 3 at t=22 s: second restart within the window, 2 s
          time.awaitWaiters(1);
          time.advance(ofSeconds(2));
          started.acquire();
          assertThat(events.events(RestartScheduled.class))
              .extracting(RestartScheduled::restart, RestartScheduled::delay)
              .containsExactly(
                  org.assertj.core.groups.Tuple.tuple(1, ofSeconds(1)),
                  org.assertj.core.groups.Tuple.tuple(2, ofSeconds(1)),
                  org.assertj.core.groups.Tuple.tuple(3, ofSeconds(2)));
          ComponentHealth health = supervisor.health().component("consumer").orElseThrow();
          assertThat(health.restarts()).isEqualTo(3);
          assertThat(health.state()).isEqualTo(ComponentState.RUNNING);
          assertThat(health.lastFailure().orElseThrow()).hasMessage("connection reset");
          assertThat(supervisor.state()).isEqualTo(Supervisor.State.RUNNING);
          fail.release(); // failure 4 at t=24 s: a third restart within 10 s is one too many
          events.await(SupervisorEvent.Escalated.class, e -> true);
          events.await(StateChanged.class, e -> e.to() == Supervisor.State.FAILED);
          assertThat(runs).hasValue(4);
        });
  }

  @Test
  void restartsTheOtherWorkersTooUnderAllForOne() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Semaphore fail = new Semaphore(0);
          AtomicInteger siblingRuns = new AtomicInteger();
          Semaphore siblingStarted = new Semaphore(0);
          build(
                  builder()
                      .strategy(Supervisor.Strategy.ALL_FOR_ONE)
                      .worker(
                          "sibling",
                          ctx -> {
                            siblingRuns.incrementAndGet();
                            siblingStarted.release();
                            ctx.awaitStop(Duration.ofDays(1));
                          })
                      .worker(
                          "flaky",
                          ctx -> {
                            fail.acquire();
                            throw new IllegalStateException("flaky");
                          },
                          c ->
                              c.restart(
                                  RestartPolicy.onFailure(
                                      Backoff.fixed(ofSeconds(3)).build(), 5, ofSeconds(60)))))
              .start();
          siblingStarted.acquire();
          fail.release();
          events.await(
              ComponentStateChanged.class,
              e -> e.component().equals("sibling") && e.to() == ComponentState.RESTARTING);
          // flaky's wait for the paused sibling may still count as a waiter for a moment after
          // the sibling ended (ManualTimeSource.awaitWaiters, issue 11 item 9), so an advance can
          // land in that wait instead of the backoff: advance until the backoff has passed.
          time.awaitWaiters(1);
          time.advance(ofSeconds(3));
          while (!siblingStarted.tryAcquire(10, TimeUnit.MILLISECONDS)) {
            time.advance(ofSeconds(3));
          }
          assertThat(siblingRuns).hasValue(2);
          assertThat(supervisor.health().component("sibling").orElseThrow().restarts())
              .isEqualTo(1);
          assertThat(supervisor.health().components())
              .extracting(ComponentHealth::state)
              .containsOnly(ComponentState.RUNNING);
        });
  }

  @Test
  void aWorkerThatFailsWithItsInterruptStatusSetStillWaitsOutTheBackoff() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          List<Long> runStarts = Collections.synchronizedList(new ArrayList<>());
          List<Boolean> interruptedAtStart = Collections.synchronizedList(new ArrayList<>());
          CountDownLatch secondRun = new CountDownLatch(1);
          build(
                  builder()
                      .worker(
                          "consumer",
                          ctx -> {
                            runStarts.add(ctx.timeSource().nanoTime());
                            interruptedAtStart.add(Thread.currentThread().isInterrupted());
                            if (runStarts.size() == 1) {
                              // the usual "restore the interrupt, then fail" of a blocking client
                              Thread.currentThread().interrupt();
                              throw new IllegalStateException("poll interrupted");
                            }
                            secondRun.countDown();
                            ctx.awaitStop(Duration.ofDays(1));
                          },
                          c ->
                              c.restart(
                                  RestartPolicy.onFailure(
                                      Backoff.fixed(ofSeconds(10)).build(), 5, ofSeconds(60)))))
              .start();
          // One advance only: a waiter stays counted until its thread wakes up, so advancing
          // whenever one is counted could move the time twice before the second run reads it.
          time.awaitWaiters(1); // the backoff, the only wait before the second run
          time.advance(ofSeconds(10));
          assertThat(secondRun.await(5, TimeUnit.SECONDS)).isTrue();
          assertThat(runStarts).containsExactly(0L, ofSeconds(10).toNanos());
          assertThat(interruptedAtStart).containsExactly(false, false);
          assertThat(supervisor.health().component("consumer").orElseThrow().restarts())
              .isEqualTo(1);
        });
  }

  @Test
  void twoWorkersFailingTogetherUnderAllForOneBothRestart() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch failTogether = new CountDownLatch(1);
          Semaphore started = new Semaphore(0);
          AtomicInteger runsA = new AtomicInteger();
          AtomicInteger runsB = new AtomicInteger();
          RestartPolicy restart =
              RestartPolicy.onFailure(Backoff.fixed(ofSeconds(3)).build(), 5, ofSeconds(60));
          build(
              builder()
                  .strategy(Supervisor.Strategy.ALL_FOR_ONE)
                  .worker(
                      "a", sharesTheDatabase(runsA, started, failTogether), c -> c.restart(restart))
                  .worker(
                      "b",
                      sharesTheDatabase(runsB, started, failTogether),
                      c -> c.restart(restart)));
          // both failures are decided before either worker pauses its sibling
          CyclicBarrier bothDecided = new CyclicBarrier(2);
          supervisor.subscribe(
              e -> {
                if (e instanceof RestartScheduled) {
                  try {
                    bothDecided.await(5, TimeUnit.SECONDS);
                  } catch (Exception ignored) {
                    // the assertions below tell what went wrong
                  }
                }
              });
          supervisor.start();
          started.acquire(2);
          failTogether.countDown();
          boolean restarted = false;
          for (int i = 0; i < 200 && !restarted; i++) {
            restarted = started.tryAcquire(2, 5, TimeUnit.MILLISECONDS);
            if (!restarted && time.waiters() > 0) {
              time.advance(ofSeconds(1));
            }
          }
          assertThat(List.of(runsA.get(), runsB.get())).containsExactly(2, 2);
          assertThat(supervisor.health().components())
              .extracting(ComponentHealth::state)
              .containsOnly(ComponentState.RUNNING);
        });
  }

  private static Worker sharesTheDatabase(
      AtomicInteger runs, Semaphore started, CountDownLatch failTogether) {
    return ctx -> {
      int run = runs.incrementAndGet();
      started.release();
      if (run == 1) {
        failTogether.await();
        throw new IllegalStateException("database connection lost");
      }
      ctx.awaitStop(Duration.ofDays(1));
    };
  }

  @Test
  void aWorkerWhoseRestartCannotGetAThreadFailsWithTheCauseAndTheOthersRunOn() throws Exception {
    IllegalStateException noThreads = new IllegalStateException("no more threads");
    List<ThreadFactory> failures =
        List.of(
            task -> {
              throw noThreads;
            },
            task -> null,
            task -> { // a thread started already: start() refuses it
              Thread started = threads.newThread(() -> {});
              started.start();
              return started;
            });
    for (int i = 0; i < failures.size(); i++) {
      int variant = i;
      ThreadFactory failing = failures.get(variant);
      AtomicBoolean broken = new AtomicBoolean();
      ThreadFactory factory = task -> (broken.get() ? failing : threads).newThread(task);
      Recorder<SupervisorEvent> seen = new Recorder<>();
      assertTimeoutPreemptively(
          LIMIT,
          () -> {
            Semaphore fail = new Semaphore(0);
            Semaphore siblingStarted = new Semaphore(0);
            AtomicInteger flakyRuns = new AtomicInteger();
            Supervisor s =
                Supervisor.builder("app")
                    .timeSource(time)
                    .threadFactory(factory)
                    .strategy(Supervisor.Strategy.ALL_FOR_ONE)
                    .worker(
                        "sibling",
                        ctx -> {
                          siblingStarted.release();
                          ctx.awaitStop(Duration.ofDays(1));
                        })
                    .worker(
                        "flaky",
                        ctx -> {
                          if (flakyRuns.incrementAndGet() == 1) {
                            fail.acquire();
                            throw new IllegalStateException("flaky");
                          }
                          ctx.awaitStop(Duration.ofDays(1));
                        },
                        c ->
                            c.restart(
                                RestartPolicy.onFailure(
                                    Backoff.fixed(ofSeconds(3)).build(), 5, ofSeconds(60))))
                    .build();
            supervisor = s;
            s.subscribe(seen);
            s.start();
            siblingStarted.acquire();
            broken.set(true);
            fail.release();
            seen.await(
                ComponentStateChanged.class,
                e -> e.component().equals("sibling") && e.to() == ComponentState.RESTARTING);
            Predicate<ComponentStateChanged> siblingFailed =
                e -> e.component().equals("sibling") && e.to() == ComponentState.FAILED;
            for (int step = 0;
                step < 200
                    && seen.events(ComponentStateChanged.class).stream().noneMatch(siblingFailed);
                step++) {
              if (time.waiters() > 0) {
                time.advance(ofSeconds(1)); // through flaky's backoff of 3 s
              }
              siblingStarted.tryAcquire(5, TimeUnit.MILLISECONDS); // a pause, and never true here
            }
            ComponentStateChanged failed = seen.await(ComponentStateChanged.class, siblingFailed);
            assertThat(failed.from()).isEqualTo(ComponentState.RESTARTING);
            assertThat(failed.failure()).isNotNull();
            if (variant == 0) {
              assertThat(failed.failure()).isSameAs(noThreads);
            }
            ComponentHealth sibling = s.health().component("sibling").orElseThrow();
            assertThat(sibling.state()).isEqualTo(ComponentState.FAILED);
            assertThat(sibling.lastFailure()).containsSame(failed.failure());
            assertThat(s.health().state()).isEqualTo(Supervisor.State.RUNNING);
            seen.await(
                ComponentStateChanged.class,
                e -> e.component().equals("flaky") && e.to() == ComponentState.RUNNING,
                2);
            ShutdownReport report = stopInVirtualTime(time, s);
            assertThat(report.component("flaky").orElseThrow().outcome())
                .isEqualTo(ShutdownReport.Outcome.GRACEFUL);
            assertThat(report.component("sibling").orElseThrow().outcome())
                .isEqualTo(ShutdownReport.Outcome.NOT_RUNNING);
          });
    }
  }
}
