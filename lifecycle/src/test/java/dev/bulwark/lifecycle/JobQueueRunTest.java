package dev.bulwark.lifecycle;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.lifecycle.JobHandle.Status;
import dev.bulwark.resilience.ContextPropagator;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The job queue runs jobs: handles, policies, cancelling, events, the submitter's context. */
class JobQueueRunTest extends JobQueueFixture {

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
}
