package dev.bulwark.lifecycle;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.testing.TrackingThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Start, stop and job submission racing each other, a thousand times (times {@code
 * -Dbulwark.stress.scale}): no thread may be left behind, and every accepted job must end either
 * finished or handed back as unfinished, the counts adding up exactly.
 */
class StartStopRaceTest {

  private static final int SCALE = Integer.getInteger("bulwark.stress.scale", 1);
  private static final long SEED = Long.getLong("bulwark.stress.seed", 20261122L);
  private static final Duration RACE_LIMIT = ofSeconds(30);

  private final List<Throwable> racerFailures = Collections.synchronizedList(new ArrayList<>());
  private long accepted;
  private long rejected;
  private long finished;
  private long handedBack;

  @Test
  void startStopAndSubmitRacesLoseNoJobAndLeaveNoThread() {
    int iterations = 1_000 * SCALE;
    SplittableRandom random = new SplittableRandom(SEED);
    TrackingThreads threads = new TrackingThreads();
    // Each race is bounded, not the thousand together: a race that hangs fails within the limit,
    // while a loaded machine that runs the races slowly does not (it did, at 60 s for them all).
    for (int i = 0; i < iterations; i++) {
      int iteration = i;
      SplittableRandom split = random.split();
      assertTimeoutPreemptively(
          RACE_LIMIT,
          () -> race(iteration, split, threads),
          () -> "race " + iteration + " (seed " + SEED + ")");
    }
    assertTimeoutPreemptively(RACE_LIMIT, threads::assertNoThreadLeftBehind);
    System.out.printf(
        "%d races (seed %d): %d jobs accepted = %d finished + %d handed back; %d refused; %d"
            + " threads, none left behind%n",
        iterations, SEED, accepted, finished, handedBack, rejected, threads.created());
    assertThat(racerFailures).as("failures on the racing threads").isEmpty();
    assertThat(accepted + rejected).as("submissions").isPositive();
    assertThat(finished + handedBack).as("finished + handed back").isEqualTo(accepted);
    assertThat(handedBack).as("some races must hand jobs back").isPositive();
    assertThat(finished).as("some races must finish jobs").isPositive();
  }

  private void race(int iteration, SplittableRandom random, TrackingThreads threads)
      throws Exception {
    JobQueue<Integer> queue =
        JobQueue.<Integer>builder(
                "jobs",
                job -> {
                  if (job % 5 == 0) {
                    new CountDownLatch(1).await(); // runs until the stop interrupts it
                  } else if (job % 7 == 0) {
                    throw new IllegalStateException("job " + job + " fails");
                  }
                })
            .capacity(8)
            .concurrency(2)
            .threadFactory(threads)
            .build();
    Supervisor supervisor =
        Supervisor.builder("race-" + iteration)
            .resource(
                "db",
                new ManagedResource() {
                  @Override
                  public void start() {}

                  @Override
                  public void stop() {}
                })
            .worker(
                "loop",
                ctx -> {
                  while (!ctx.isStopping()) {
                    ctx.heartbeat();
                    ctx.awaitStop(ofMillis(1));
                  }
                })
            .worker("tick", PeriodicTask.fixedRate(ofMillis(1)).build(ctx -> {}))
            .jobQueue(
                queue, c -> c.grace(ofMillis(random.nextInt(3))).interruptTimeout(ofSeconds(5)))
            .shutdownBudget(ofSeconds(30))
            .threadFactory(threads)
            .build();
    int jobs = random.nextInt(16);
    // a third of the stops come at once, a third a little later, a third after the start returned
    int mode = random.nextInt(3);
    int spins = mode == 1 ? random.nextInt(200_000) : random.nextInt(2_000);
    CountDownLatch startReturned = new CountDownLatch(1);
    List<JobHandle<Integer>> handles = Collections.synchronizedList(new ArrayList<>());
    int[] refused = new int[1];
    List<Runnable> racers = new ArrayList<>();
    racers.add(
        () -> {
          try {
            supervisor.start();
          } catch (StartupException expected) {
            // the stop came during the start
          } catch (IllegalStateException expected) {
            // the stop came before the start: a stopped supervisor does not start
            assertThat(expected).hasMessageContaining("but was STOPP");
          } finally {
            startReturned.countDown();
          }
        });
    racers.add(
        () -> {
          for (int j = 0; j < jobs; j++) {
            try {
              handles.add(queue.submit(j));
            } catch (RejectedException e) {
              refused[0]++;
            }
          }
        });
    racers.add(
        () -> {
          if (mode == 2) {
            try {
              startReturned.await(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              throw new AssertionError(e);
            }
          }
          for (int s = 0; s < spins; s++) {
            Thread.onSpinWait();
          }
          supervisor.stop();
        });
    Collections.shuffle(racers, new java.util.Random(random.nextLong()));
    List<Thread> started = new ArrayList<>();
    for (Runnable racer : racers) {
      started.add(guarded(racer, threads));
    }
    for (Thread t : started) {
      t.start();
    }
    for (Thread t : started) {
      t.join();
    }
    ShutdownReport report = supervisor.stop();

    Set<Long> unfinished = new HashSet<>();
    for (UnfinishedJob<?> u : report.unfinishedJobs()) {
      assertThat(unfinished.add(u.id())).as("job %d handed back twice", u.id()).isTrue();
      assertThat(u.reason()).isNotEqualTo(UnfinishedJob.Reason.ABANDONED);
    }
    for (JobHandle<Integer> h : handles) {
      JobHandle.Status status = h.status();
      if (status == JobHandle.Status.SUCCEEDED || status == JobHandle.Status.FAILED) {
        assertThat(unfinished)
            .as("race %d: finished job %d handed back", iteration, h.id())
            .doesNotContain(h.id());
        finished++;
      } else {
        assertThat(status).isEqualTo(JobHandle.Status.CANCELLED);
        assertThat(unfinished).as("race %d: job %d lost", iteration, h.id()).contains(h.id());
      }
    }
    assertThat(unfinished).hasSize(handles.size() - (int) countFinished(handles));
    accepted += handles.size();
    handedBack += unfinished.size();
    rejected += refused[0];
  }

  /** The same racer, on a new thread, with any failure recorded for the test to see. */
  private Thread guarded(Runnable racer, TrackingThreads threads) {
    return threads.newThread(
        () -> {
          try {
            racer.run();
          } catch (Throwable t) {
            racerFailures.add(t);
          }
        });
  }

  private static long countFinished(List<JobHandle<Integer>> handles) {
    return handles.stream()
        .filter(
            h -> h.status() == JobHandle.Status.SUCCEEDED || h.status() == JobHandle.Status.FAILED)
        .count();
  }
}
