package dev.bulwark.lifecycle;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.lifecycle.JobHandle.Status;
import dev.bulwark.lifecycle.UnfinishedJob.Reason;
import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.internal.Exceptions;
import dev.bulwark.resilience.testing.TrackingThreads;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The job queue: handles, policies, refusals, and the stop that hands back unfinished jobs. */
class JobQueueTest {

  private static final Duration LIMIT = ofSeconds(10);

  private final TrackingThreads threads = new TrackingThreads();
  private final List<String> done = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void checkThreads() throws InterruptedException {
    release.countDown();
    threads.assertNoThreadLeftBehind();
  }

  /** A policy that tries a call up to {@code attempts} times: a stand-in for a Retry. */
  private record Attempts(int attempts, AtomicInteger calls) implements Policy {
    @Override
    public String name() {
      return "attempts";
    }

    @Override
    public <T, X extends Exception> T call(Call<T, X> call) throws X {
      for (int i = 1; ; i++) {
        calls.incrementAndGet();
        try {
          return call.call();
        } catch (Exception e) {
          if (i == attempts) {
            throw Exceptions.<X>rethrow(e);
          }
        }
      }
    }
  }

  private JobQueue.Builder<String> queue(JobHandler<String> handler) {
    return JobQueue.builder("emails", handler).threadFactory(threads);
  }

  @Test
  void runsJobsAndReportsTheirStatus() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          JobQueue<String> q =
              queue(
                      job -> {
                        if (job.startsWith("bad")) {
                          throw new IOException("smtp refused " + job);
                        }
                        done.add(job);
                      })
                  .concurrency(2)
                  .build();
          q.start();
          JobHandle<String> good = q.submit("welcome");
          JobHandle<String> bad = q.submit("bad-address");
          assertThat(good.await(ofSeconds(5))).isEqualTo(Status.SUCCEEDED);
          assertThat(bad.await(ofSeconds(5))).isEqualTo(Status.FAILED);
          assertThat(bad.failure().orElseThrow()).hasMessage("smtp refused bad-address");
          assertThat(good.failure()).isEmpty();
          assertThat(good.id()).isLessThan(bad.id());
          assertThat(good.job()).isEqualTo("welcome");
          assertThat(done).containsExactly("welcome");
          assertThat(q.stop(ofSeconds(1), ofSeconds(1))).isEmpty();
        });
  }

  @Test
  void runsEveryJobUnderTheQueuePolicyOrItsOwn() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          AtomicInteger queueCalls = new AtomicInteger();
          AtomicInteger ownCalls = new AtomicInteger();
          AtomicInteger failures = new AtomicInteger();
          JobQueue<String> q =
              queue(
                      job -> {
                        if (failures.incrementAndGet() % 2 == 1) {
                          throw new IOException("flaky");
                        }
                      })
                  .concurrency(1)
                  .policy(new Attempts(2, queueCalls))
                  .build();
          q.start();
          assertThat(q.submit("a").await(ofSeconds(5))).isEqualTo(Status.SUCCEEDED);
          assertThat(q.submit("b", new Attempts(3, ownCalls)).await(ofSeconds(5)))
              .isEqualTo(Status.SUCCEEDED);
          assertThat(queueCalls).hasValue(2);
          assertThat(ownCalls).hasValue(2);
          assertThat(q.config().policy()).isPresent();
          q.stop(ofSeconds(1), ofSeconds(1));
        });
  }

  @Test
  void refusesWhenFullAndSaysToRetryLaterBeforeAnyJobHasFinished() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch running = new CountDownLatch(1);
          JobQueue<String> q =
              queue(
                      job -> {
                        running.countDown();
                        release.await();
                      })
                  .capacity(2)
                  .concurrency(1)
                  .build();
          q.start();
          q.submit("running");
          running.await();
          q.submit("waiting-1");
          q.submit("waiting-2");
          assertThatThrownBy(() -> q.submit("one too many"))
              .isInstanceOf(JobQueueFullException.class)
              .hasMessage("job queue 'emails' is full (2 jobs waiting); retry later")
              .satisfies(e -> assertThat(((RejectedException) e).retryAfter()).isEmpty())
              .satisfies(e -> assertThat(((RejectedException) e).policyName()).isEqualTo("emails"));
          release.countDown();
          assertThat(q.stop(ofSeconds(5), ofSeconds(1))).isEmpty();
        });
  }

  @Test
  void estimatesTheRetryAfterFromTheAverageRunTimeAndTheRunners() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          ManualTimeSource time = new ManualTimeSource();
          java.util.concurrent.Semaphore started = new java.util.concurrent.Semaphore(0);
          JobQueue<String> q =
              queue(
                      job -> {
                        if (job.equals("timed")) {
                          time.advance(ofSeconds(4)); // a job that takes 4 s
                          return;
                        }
                        started.release();
                        release.await();
                      })
                  .capacity(1)
                  .concurrency(2)
                  .timeSource(time)
                  .build();
          q.start();
          assertThat(q.submit("timed").await(ofSeconds(5))).isEqualTo(Status.SUCCEEDED);
          q.submit("x");
          started.acquire(); // x runs, so its place in the queue is free again
          q.submit("y");
          started.acquire(); // both runners are busy now
          q.submit("z");
          assertThatThrownBy(() -> q.submit("refused"))
              .isInstanceOf(JobQueueFullException.class)
              .hasMessage(
                  "job queue 'emails' is full (1 jobs waiting); a place is expected to free up"
                      + " in 2s")
              .satisfies(
                  e -> assertThat(((RejectedException) e).retryAfter()).contains(ofSeconds(2)));
          release.countDown();
          assertThat(q.stop(ofSeconds(5), ofSeconds(1))).isEmpty();
        });
  }

  @Test
  void refusesJobsOnceStopping() {
    JobQueue<String> q = queue(done::add).build();
    q.start();
    q.stop(ofSeconds(1), ofSeconds(1));
    assertThatThrownBy(() -> q.submit("late"))
        .isInstanceOf(JobQueueClosedException.class)
        .hasMessage(
            "job queue 'emails' is stopping and takes no more jobs; submit the job to another"
                + " instance");
  }

  @Test
  void drainsQueuedJobsWithinTheGrace() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          JobQueue<String> q = queue(done::add).concurrency(1).build();
          List<JobHandle<String>> handles = new ArrayList<>();
          for (int i = 0; i < 20; i++) {
            handles.add(q.submit("job-" + i)); // queued before the start
          }
          q.start();
          assertThat(q.stop(ofSeconds(5), ofSeconds(1))).isEmpty();
          assertThat(done).hasSize(20);
          assertThat(handles).extracting(JobHandle::status).containsOnly(Status.SUCCEEDED);
        });
  }

  @Test
  void handsBackQueuedAndInterruptedJobsToTheCallerAndTheSink() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch running = new CountDownLatch(1);
          List<List<UnfinishedJob<String>>> sunk = new ArrayList<>();
          JobQueue<String> q =
              queue(
                      job -> {
                        running.countDown();
                        release.await(); // honours the interrupt
                      })
                  .concurrency(1)
                  .unfinishedSink(sunk::add)
                  .build();
          q.start();
          JobHandle<String> first = q.submit("first");
          JobHandle<String> second = q.submit("second");
          JobHandle<String> third = q.submit("third");
          running.await();
          List<UnfinishedJob<String>> unfinished = q.stop(Duration.ZERO, ofSeconds(5));
          assertThat(unfinished)
              .containsExactly(
                  new UnfinishedJob<>("emails", first.id(), "first", Reason.INTERRUPTED),
                  new UnfinishedJob<>("emails", second.id(), "second", Reason.NOT_STARTED),
                  new UnfinishedJob<>("emails", third.id(), "third", Reason.NOT_STARTED));
          assertThat(sunk).containsExactly(unfinished);
          assertThat(List.of(first, second, third))
              .extracting(JobHandle::status)
              .containsOnly(Status.CANCELLED);
          assertThat(first.failure().orElseThrow()).isInstanceOf(InterruptedException.class);
          assertThat(q.stop(Duration.ZERO, Duration.ZERO)).isSameAs(unfinished);
        });
  }

  @Test
  void reportsAJobThatIgnoresTheInterruptAsAbandoned() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch running = new CountDownLatch(1);
          JobQueue<String> q =
              queue(
                      job -> {
                        running.countDown();
                        while (true) {
                          try {
                            release.await();
                            return;
                          } catch (InterruptedException ignored) {
                            // a job that will not be stopped
                          }
                        }
                      })
                  .concurrency(1)
                  .build();
          q.start();
          JobHandle<String> stuck = q.submit("stuck");
          running.await();
          assertThat(q.stop(Duration.ZERO, Duration.ZERO))
              .containsExactly(
                  new UnfinishedJob<>("emails", stuck.id(), "stuck", Reason.ABANDONED));
          assertThat(stuck.status()).isEqualTo(Status.RUNNING);
          release.countDown();
          assertThat(stuck.await(ofSeconds(5))).isEqualTo(Status.SUCCEEDED);
        });
  }

  @Test
  void cancelsAQueuedJobOnly() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch running = new CountDownLatch(1);
          JobQueue<String> q =
              queue(
                      job -> {
                        running.countDown();
                        release.await();
                      })
                  .concurrency(1)
                  .build();
          q.start();
          JobHandle<String> first = q.submit("first");
          JobHandle<String> second = q.submit("second");
          running.await();
          assertThat(first.cancel()).isFalse();
          assertThat(second.cancel()).isTrue();
          assertThat(second.status()).isEqualTo(Status.CANCELLED);
          release.countDown();
          assertThat(first.await(ofSeconds(5))).isEqualTo(Status.SUCCEEDED);
          assertThat(q.stop(ofSeconds(1), ofSeconds(1))).isEmpty();
        });
  }

  @Test
  void aSupervisedQueueHandsBackItsUnfinishedJobsInTheShutdownReport() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch running = new CountDownLatch(1);
          JobQueue<String> q =
              queue(
                      job -> {
                        running.countDown();
                        release.await();
                      })
                  .concurrency(1)
                  .build();
          Supervisor s =
              Supervisor.builder("app")
                  .jobQueue(q, c -> c.grace(Duration.ZERO))
                  .threadFactory(threads)
                  .build();
          s.start();
          q.submit("a");
          q.submit("b");
          running.await();
          ShutdownReport report = s.stop();
          assertThat(report.component("emails").orElseThrow().outcome())
              .isEqualTo(ShutdownReport.Outcome.INTERRUPTED);
          assertThat(report.unfinishedJobs())
              .extracting(UnfinishedJob::job, UnfinishedJob::reason)
              .containsExactly(
                  org.assertj.core.groups.Tuple.tuple("a", Reason.INTERRUPTED),
                  org.assertj.core.groups.Tuple.tuple("b", Reason.NOT_STARTED));
          assertThat(s.health().component("emails").orElseThrow().state())
              .isEqualTo(ComponentState.STOPPED);
        });
  }

  @Test
  void aJobThatStopsItsOwnQueueInterruptsTheOthersButNotItself() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch busy = new CountDownLatch(1);
          List<List<UnfinishedJob<String>>> handedBack = new CopyOnWriteArrayList<>();
          AtomicReference<JobQueue<String>> self = new AtomicReference<>();
          JobQueue<String> q =
              queue(
                      job -> {
                        if (job.equals("busy")) {
                          busy.countDown();
                          release.await();
                        } else {
                          busy.await();
                          handedBack.add(self.get().stop(Duration.ZERO, ofSeconds(5)));
                          done.add("stopper went on");
                        }
                      })
                  .concurrency(2)
                  .build();
          self.set(q);
          q.start();
          JobHandle<String> busyJob = q.submit("busy");
          JobHandle<String> stopper = q.submit("stopper");
          assertThat(stopper.await(ofSeconds(5))).isEqualTo(Status.SUCCEEDED);
          assertThat(busyJob.status()).isEqualTo(Status.CANCELLED);
          assertThat(handedBack.get(0))
              .extracting(UnfinishedJob::job, UnfinishedJob::reason)
              .containsExactly(org.assertj.core.groups.Tuple.tuple("busy", Reason.INTERRUPTED));
          assertThat(done).containsExactly("stopper went on");
        });
  }

  @Test
  void publishesJobEvents() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Recorder<JobQueueEvent> events = new Recorder<>();
          JobQueue<String> q = queue(done::add).concurrency(1).build();
          q.subscribe(events);
          q.start();
          JobHandle<String> h = q.submit("a");
          h.await(ofSeconds(5));
          JobQueueEvent.Finished finished = events.await(JobQueueEvent.Finished.class, e -> true);
          assertThat(finished.status()).isEqualTo(Status.SUCCEEDED);
          // a runner may publish Started before the submitting thread publishes Submitted
          assertThat(events.events()).contains(new JobQueueEvent.Submitted("emails", h.id()));
          q.stop(ofSeconds(1), ofSeconds(1));
          events.await(JobQueueEvent.Stopped.class, e -> e.unfinished().isEmpty());
        });
  }

  @Test
  void aSinkThatThrowsAnErrorStillLeavesEveryUnfinishedJobInTheShutdownReport() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          JobQueue<String> q =
              queue(job -> {})
                  .unfinishedSink(
                      jobs -> {
                        throw new NoClassDefFoundError("org/postgresql/Driver");
                      })
                  .build();
          Supervisor s = Supervisor.builder("app").jobQueue(q).threadFactory(threads).build();
          q.submit("a"); // never started: the start of the supervisor is skipped
          ShutdownReport report = s.stop();
          assertThat(report.unfinishedJobs())
              .extracting(UnfinishedJob::job, UnfinishedJob::reason)
              .containsExactly(org.assertj.core.groups.Tuple.tuple("a", Reason.NOT_STARTED));
          assertThat(s.stop()).isSameAs(report);
        });
  }

  @Test
  void aJobRunsWithTheContextOfTheThreadThatSubmittedIt() {
    ThreadLocal<String> requestId = new ThreadLocal<>();
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          List<String> seen = new CopyOnWriteArrayList<>();
          JobQueue<String> q =
              queue(job -> seen.add(job + ":" + requestId.get()))
                  .concurrency(1)
                  .contextPropagator(ContextPropagator.threadLocal(requestId))
                  .build();
          requestId.set("req-1");
          JobHandle<String> first = q.submit("a");
          requestId.set("req-2");
          JobHandle<String> second = q.submit("b");
          requestId.remove();
          q.start();
          first.await(Duration.ofDays(1));
          second.await(Duration.ofDays(1));
          assertThat(seen).containsExactly("a:req-1", "b:req-2");
          assertThat(q.stop(ofSeconds(1), ofSeconds(1))).isEmpty();
        });
  }

  @Test
  void withoutAPropagatorAJobDoesNotSeeTheSubmittersContext() {
    ThreadLocal<String> requestId = new ThreadLocal<>();
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          List<String> seen = new CopyOnWriteArrayList<>();
          JobQueue<String> q = queue(job -> seen.add(job + ":" + requestId.get())).build();
          requestId.set("req-1");
          JobHandle<String> h = q.submit("a");
          requestId.remove();
          q.start();
          h.await(Duration.ofDays(1));
          assertThat(seen).containsExactly("a:null");
          assertThat(q.stop(ofSeconds(1), ofSeconds(1))).isEmpty();
        });
  }

  @Test
  void theUnfinishedJobsComeBackTypedWithoutACast() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          record Email(String to) {}
          JobQueue<Email> q =
              JobQueue.<Email>builder("mail", e -> {}).threadFactory(threads).build();
          Supervisor s = Supervisor.builder("app").jobQueue(q).threadFactory(threads).build();
          q.submit(new Email("a@example.com")); // queued before the start; the stop comes first
          assertThat(q.unfinishedJobs()).isEmpty();
          ShutdownReport report = s.stop();
          List<UnfinishedJob<Email>> fromReport = report.unfinishedJobs(q);
          List<UnfinishedJob<Email>> fromQueue = q.unfinishedJobs();
          assertThat(fromReport).isEqualTo(fromQueue);
          assertThat(fromQueue.getFirst().job().to()).isEqualTo("a@example.com");
          assertThat(fromQueue.getFirst().reason()).isEqualTo(Reason.NOT_STARTED);
        });
  }
}
