package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.lifecycle.JobHandle;
import dev.bulwark.lifecycle.JobQueue;
import dev.bulwark.lifecycle.PeriodicTask;
import dev.bulwark.lifecycle.RestartPolicy;
import dev.bulwark.lifecycle.ShutdownReport;
import dev.bulwark.lifecycle.Supervisor;
import dev.bulwark.lifecycle.Worker;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The lifecycle guide: workers, a periodic task, a job queue, and the Kubernetes recipe. */
class LifecycleGuideTest {
  final ManualTimeSource time = new ManualTimeSource();
  final List<String> sent = new CopyOnWriteArrayList<>();

  @Test
  void startsInOrderAndStopsGracefullyWithinTheBudget() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          // tag::worker[]
          Worker outbox =
              ctx -> {
                while (!ctx.isStopping()) {
                  ctx.heartbeat(); // a stalled heartbeat makes health() unhealthy
                  relayPendingEvents();
                  ctx.awaitStop(Duration.ofMillis(200)); // instead of sleep: returns on stop
                }
              };
          Worker refresh =
              PeriodicTask.fixedRate(Duration.ofSeconds(30))
                  .jitter(Duration.ofSeconds(1))
                  .onError(PeriodicTask.OnError.LOG_AND_CONTINUE) // never silently ends
                  .build(ctx -> refreshPriceCache());
          JobQueue<String> mail =
              JobQueue.<String>builder("welcome-mail", address -> sent.add(address))
                  .capacity(1_000) // full: a JobQueueFullException, never unbounded memory
                  .concurrency(4)
                  .build();
          // end::worker[]

          // tag::kubernetes[]
          Supervisor service =
              Supervisor.builder("quotes-service")
                  .worker("outbox", outbox, w -> w.grace(Duration.ofSeconds(5)))
                  .worker(
                      "refresh",
                      refresh,
                      w ->
                          w.restart(
                              RestartPolicy.onFailure(
                                  Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30))
                                      .build(),
                                  5, // at most 5 restarts ...
                                  Duration.ofMinutes(1)))) // ... a minute, then the service fails
                  .jobQueue(mail, q -> q.grace(Duration.ofSeconds(10)))
                  .drainDelay(Duration.ofSeconds(5)) // not ready, but still serving: LBs catch up
                  .shutdownBudget(Duration.ofSeconds(25)) // below terminationGracePeriodSeconds: 30
                  .shutdownHook(true) // SIGTERM runs stop(); never System.exit inside
                  .timeSource(time)
                  .build();
          service.start(); // in order; a failed start stops what started, in reverse
          // readiness probe: 200 while service.health().ready(), else 503
          // end::kubernetes[]

          JobHandle<String> job = mail.submit("ada@example.org");
          assertThat(job.await(Duration.ofSeconds(10))).isEqualTo(JobHandle.Status.SUCCEEDED);
          assertThat(service.health().ready()).isTrue();

          ShutdownReport report = stopInVirtualTime(service);
          assertThat(report.graceful()).isTrue();
          assertThat(report.unfinishedJobs()).isEmpty();
          assertThat(report.elapsed()).isLessThanOrEqualTo(Duration.ofSeconds(25));
          assertThat(service.health().ready()).isFalse();
          assertThat(sent).containsExactly("ada@example.org");
        });
  }

  /** stop() waits the drain delay on the time source: advance it until the stop has finished. */
  ShutdownReport stopInVirtualTime(Supervisor service) throws InterruptedException {
    AtomicReference<ShutdownReport> report = new AtomicReference<>();
    Thread stopper = Thread.ofVirtual().start(() -> report.set(service.stop()));
    while (!stopper.join(Duration.ofMillis(5))) {
      time.advance(Duration.ofMillis(100));
    }
    return report.get();
  }

  static void relayPendingEvents() {}

  static void refreshPriceCache() {}
}
