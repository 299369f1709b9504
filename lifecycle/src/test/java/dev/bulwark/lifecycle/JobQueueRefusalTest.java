package dev.bulwark.lifecycle;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.lifecycle.JobHandle.Status;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.RejectedException;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The job queue refuses: when full, with an estimated retry-after, and once stopping. */
class JobQueueRefusalTest extends JobQueueFixture {

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
}
