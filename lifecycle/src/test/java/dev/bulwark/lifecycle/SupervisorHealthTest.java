package dev.bulwark.lifecycle;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.lifecycle.SupervisorEvent.ComponentStateChanged;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Health: a stalled worker, a failed one, one that finished, in virtual time. */
class SupervisorHealthTest extends SupervisorFixture {

  @Test
  void reportsAStalledWorkerUnhealthy() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch beat = new CountDownLatch(1);
          build(
                  builder()
                      .worker(
                          "poller",
                          ctx -> {
                            ctx.heartbeat();
                            beat.countDown();
                            ctx.awaitStop(Duration.ofDays(1)); // stuck: no more heartbeats
                          },
                          c -> c.stallLimit(ofSeconds(30))))
              .start();
          beat.await();
          time.advance(ofSeconds(30));
          ComponentHealth fresh = supervisor.health().component("poller").orElseThrow();
          assertThat(fresh.healthy()).isTrue();
          assertThat(fresh.sinceHeartbeat()).contains(ofSeconds(30));
          assertThat(supervisor.health().live()).isTrue();
          time.advance(ofMillis(1));
          SupervisorHealth health = supervisor.health();
          assertThat(health.component("poller").orElseThrow().healthy()).isFalse();
          assertThat(health.component("poller").orElseThrow().state())
              .isEqualTo(ComponentState.RUNNING);
          assertThat(health.live()).isFalse();
          assertThat(health.ready()).isFalse();
        });
  }

  @Test
  void marksAWorkerWithoutRestartPolicyFailedAndNotLive() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          build(
                  builder()
                      .worker(
                          "once",
                          ctx -> {
                            throw new IllegalStateException("gone");
                          }))
              .start();
          events.await(ComponentStateChanged.class, e -> e.to() == ComponentState.FAILED);
          SupervisorHealth health = supervisor.health();
          assertThat(health.live()).isFalse();
          assertThat(health.ready()).isFalse();
          assertThat(health.state()).isEqualTo(Supervisor.State.RUNNING);
          assertThat(supervisor.stop().component("once").orElseThrow().outcome())
              .isEqualTo(ShutdownReport.Outcome.NOT_RUNNING);
        });
  }

  @Test
  void aWorkerThatReturnsHasFinished() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          build(builder().worker("migration", ctx -> log.add("migrated"))).start();
          events.await(ComponentStateChanged.class, e -> e.to() == ComponentState.STOPPED);
          assertThat(supervisor.health().live()).isTrue();
          assertThat(supervisor.health().component("migration").orElseThrow().healthy()).isTrue();
        });
  }
}
