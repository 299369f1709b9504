package dev.bulwark.lifecycle;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.lifecycle.JobHandle.Status;
import dev.bulwark.lifecycle.UnfinishedJob.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The job queue's stop: draining, and handing back every unfinished job to the caller, the sink and
 * the shutdown report.
 */
class JobQueueStopTest extends JobQueueFixture {

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
