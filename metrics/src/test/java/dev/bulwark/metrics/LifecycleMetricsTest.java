package dev.bulwark.metrics;

import static dev.bulwark.metrics.Meters.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.lifecycle.ComponentHealth;
import dev.bulwark.lifecycle.ComponentState;
import dev.bulwark.lifecycle.JobHandle;
import dev.bulwark.lifecycle.JobQueue;
import dev.bulwark.lifecycle.RestartPolicy;
import dev.bulwark.lifecycle.Supervisor;
import dev.bulwark.lifecycle.UnfinishedJob;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.backoff.Backoff;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LifecycleMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void jobQueueCountsSubmissionsEndsWaitsAndEachHandedBackJobOnce() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    CountDownLatch holding = new CountDownLatch(1);
    JobQueue<String> queue =
        JobQueue.<String>builder(
                "emails",
                job -> {
                  switch (job) {
                    case "fail" -> throw new IllegalStateException("smtp down");
                    case "hold" -> {
                      holding.countDown();
                      hold.await();
                    }
                    default -> {}
                  }
                })
            .capacity(2)
            .concurrency(1)
            .build();
    BulwarkMetrics.bind(registry, queue);
    queue.start();
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          assertThat(queue.submit("ok").await(Duration.ofSeconds(10)))
              .isEqualTo(JobHandle.Status.SUCCEEDED);
          assertThat(queue.submit("fail").await(Duration.ofSeconds(10)))
              .isEqualTo(JobHandle.Status.FAILED);
          queue.submit("hold");
          holding.await();
          queue.submit("q1");
          queue.submit("q2");
          assertThatThrownBy(() -> queue.submit("q3")).isInstanceOf(RejectedException.class);
          assertThat(value(registry, BulwarkMeter.JOBQUEUE_QUEUED, "name", "emails")).isEqualTo(2);
          assertThat(value(registry, BulwarkMeter.JOBQUEUE_RUNNING, "name", "emails")).isEqualTo(1);

          List<UnfinishedJob<String>> unfinished = queue.stop(Duration.ZERO, Duration.ofSeconds(5));
          List<UnfinishedJob<String>> again = queue.stop(Duration.ZERO, Duration.ofSeconds(5));
          hold.countDown();
          assertThat(unfinished).extracting(UnfinishedJob::job).contains("q1", "q2");
          assertThat(again)
              .isEqualTo(unfinished); // stop is idempotent: the same jobs, counted once
          assertThat(value(registry, BulwarkMeter.JOBQUEUE_HANDED_BACK, "name", "emails"))
              .isEqualTo(unfinished.size());
        });
    assertThat(submitted("accepted")).isEqualTo(5);
    assertThat(submitted("rejected")).isEqualTo(1);
    assertThat(jobs("succeeded")).isEqualTo(1);
    assertThat(jobs("failed")).isEqualTo(1);
    assertThat(registry.get(BulwarkMeter.JOBQUEUE_WAIT.meterName()).timer().count()).isEqualTo(3);
  }

  private double submitted(String outcome) {
    return value(registry, BulwarkMeter.JOBQUEUE_SUBMITTED, "name", "emails", "outcome", outcome);
  }

  private double jobs(String outcome) {
    return value(registry, BulwarkMeter.JOBQUEUE_JOBS, "name", "emails", "outcome", outcome);
  }

  @Test
  void supervisorShowsReadinessStatesRestartsHeartbeatAgeAndTheLastShutdown() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    AtomicInteger crashRuns = new AtomicInteger();
    Supervisor supervisor =
        Supervisor.builder("svc")
            .timeSource(time)
            .worker(
                "beat",
                ctx -> {
                  ctx.heartbeat();
                  ctx.awaitStop(Duration.ofDays(1));
                },
                c -> c.stallLimit(Duration.ofHours(1)))
            .worker(
                "crash",
                ctx -> {
                  if (crashRuns.incrementAndGet() == 1) {
                    throw new IllegalStateException("first run fails");
                  }
                  ctx.awaitStop(Duration.ofDays(1));
                },
                c ->
                    c.restart(
                        RestartPolicy.onFailure(
                            Backoff.fixed(Duration.ofMillis(1)).build(), 5, Duration.ofMinutes(1))))
            .build();
    MeterBinding binding = BulwarkMetrics.bind(registry, supervisor);
    assertThat(value(registry, BulwarkMeter.SUPERVISOR_READY, "name", "svc")).isZero();
    assertThat(value(registry, BulwarkMeter.SUPERVISOR_SHUTDOWN_DURATION, "name", "svc")).isNaN();
    supervisor.start();
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          while (crashRuns.get() < 2
              || component(supervisor, "crash").state() != ComponentState.RUNNING
              || component(supervisor, "beat").sinceHeartbeat().isEmpty()) {
            if (crashRuns.get() < 2) {
              time.advance(Duration.ofMillis(1)); // the restart's backoff waits on this clock
            }
            Thread.onSpinWait();
          }
        });
    assertThat(value(registry, BulwarkMeter.SUPERVISOR_READY, "name", "svc")).isEqualTo(1);
    assertThat(value(registry, BulwarkMeter.SUPERVISOR_LIVE, "name", "svc")).isEqualTo(1);
    assertThat(state("beat", "running")).isEqualTo(1);
    assertThat(state("beat", "failed")).isZero();
    assertThat(restarts("crash")).isEqualTo(1);
    assertThat(restarts("beat")).isZero();
    double age =
        value(
            registry,
            BulwarkMeter.SUPERVISOR_COMPONENT_HEARTBEAT_AGE,
            "name",
            "svc",
            "component",
            "beat");
    time.advance(Duration.ofHours(2));
    assertThat(
            value(
                registry,
                BulwarkMeter.SUPERVISOR_COMPONENT_HEARTBEAT_AGE,
                "name",
                "svc",
                "component",
                "beat"))
        .isEqualTo(age + 7200);
    assertThat(
            value(
                registry,
                BulwarkMeter.SUPERVISOR_COMPONENT_HEALTHY,
                "name",
                "svc",
                "component",
                "beat"))
        .isZero();
    assertThat(value(registry, BulwarkMeter.SUPERVISOR_LIVE, "name", "svc")).isZero();

    var report = supervisor.stop();
    assertThat(value(registry, BulwarkMeter.SUPERVISOR_READY, "name", "svc")).isZero();
    assertThat(value(registry, BulwarkMeter.SUPERVISOR_SHUTDOWN_DURATION, "name", "svc"))
        .isEqualTo(report.elapsed().toNanos() / 1e9);
    assertThat(
            value(
                registry,
                BulwarkMeter.SUPERVISOR_SHUTDOWN_COMPONENTS,
                "name",
                "svc",
                "outcome",
                "graceful"))
        .isEqualTo(2);
    assertThat(state("beat", "stopped")).isEqualTo(1);
    binding.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  private static ComponentHealth component(Supervisor s, String name) {
    return s.health().component(name).orElseThrow();
  }

  private double state(String component, String state) {
    return value(
        registry,
        BulwarkMeter.SUPERVISOR_COMPONENT_STATE,
        "name",
        "svc",
        "component",
        component,
        "state",
        state);
  }

  private double restarts(String component) {
    return value(
        registry,
        BulwarkMeter.SUPERVISOR_COMPONENT_RESTARTS,
        "name",
        "svc",
        "component",
        component);
  }
}
