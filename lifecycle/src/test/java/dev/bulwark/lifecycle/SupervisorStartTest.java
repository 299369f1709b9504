package dev.bulwark.lifecycle;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.lifecycle.SupervisorEvent.ComponentStateChanged;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Start order, a start that fails or times out, the shutdown hook, and what may be started when, in
 * virtual time.
 */
class SupervisorStartTest extends SupervisorFixture {

  @Test
  void startsInDeclaredOrderAndStopsInReverse() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          CountDownLatch running = new CountDownLatch(1);
          // A worker has started once its thread is started, not once its code has run: http's
          // start waits for the relay's first line, so that the log's order is deterministic (a
          // start of http before the relay's would hang and fail the test).
          LoggingResource http = new LoggingResource("http", log);
          http.blockStart = running;
          build(
                  builder()
                      .resource("db", new LoggingResource("db", log))
                      .worker(
                          "relay",
                          ctx -> {
                            log.add("run relay");
                            running.countDown();
                            ctx.awaitStop(Duration.ofDays(1));
                            log.add("end relay");
                          })
                      .resource("http", http))
              .start();
          assertThat(events.events(ComponentStateChanged.class))
              .filteredOn(e -> e.to() == ComponentState.RUNNING)
              .extracting(ComponentStateChanged::component)
              .containsExactly("db", "relay", "http");
          assertThat(supervisor.state()).isEqualTo(Supervisor.State.RUNNING);
          assertThat(supervisor.health().ready()).isTrue();
          ShutdownReport report = supervisor.stop();
          assertThat(log)
              .containsExactly(
                  "start db", "run relay", "start http", "stop http", "end relay", "stop db");
          assertThat(report.components())
              .extracting(ShutdownReport.ComponentReport::name)
              .containsExactly("http", "relay", "db");
          assertThat(report.graceful()).isTrue();
          assertThat(supervisor.state()).isEqualTo(Supervisor.State.STOPPED);
          assertThat(supervisor.health().components())
              .extracting(ComponentHealth::state)
              .containsOnly(ComponentState.STOPPED);
        });
  }

  @Test
  void failsTheStartOfAResourceThatTakesLongerThanItsTimeout() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          LoggingResource slow = new LoggingResource("slow", log);
          slow.blockStart = new CountDownLatch(1);
          build(
              builder()
                  .resource("db", new LoggingResource("db", log))
                  .resource("slow", slow, c -> c.startTimeout(ofSeconds(5))));
          Async<Void> starting =
              Async.run(
                  () -> {
                    supervisor.start();
                    return null;
                  });
          slow.startEntered.await();
          time.awaitWaiters(1);
          time.advance(ofSeconds(5));
          Throwable failure = starting.failure();
          assertThat(failure)
              .isInstanceOf(StartupException.class)
              .hasMessage(
                  "supervisor 'app' could not start component 'slow': did not start within 5s;"
                      + " the components started before it were stopped in reverse order")
              .hasCauseInstanceOf(TimeoutException.class);
          assertThat(((StartupException) failure).component()).isEqualTo("slow");
          assertThat(log).containsExactly("start db", "stop db");
          assertThat(supervisor.state()).isEqualTo(Supervisor.State.FAILED);
          assertThat(supervisor.health().component("slow").orElseThrow().state())
              .isEqualTo(ComponentState.FAILED);
        });
  }

  @Test
  void registersAShutdownHookThatIsIdempotentWithStop() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          LoggingResource db = new LoggingResource("db", log);
          build(builder().resource("db", db).shutdownHook(true)).start();
          Thread hook = supervisor.shutdownHook();
          assertThat(hook).isNotNull();
          hook.run(); // what the JVM does on SIGTERM
          assertThat(supervisor.state()).isEqualTo(Supervisor.State.STOPPED);
          ShutdownReport report = supervisor.stop();
          assertThat(supervisor.stop()).isSameAs(report);
          assertThat(log).containsExactly("start db", "stop db");
          assertThat(supervisor.shutdownHook()).isNull();
          assertThat(Runtime.getRuntime().removeShutdownHook(hook))
              .as("stop() removed the hook")
              .isFalse();
        });
  }

  @Test
  void refusesASecondStart() throws Exception {
    build(builder().resource("db", new LoggingResource("db", log))).start();
    assertThatThrownBy(supervisor::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Expected supervisor 'app' to be NEW, but was RUNNING");
  }

  @Test
  void stopBeforeStartStopsNothingAndForbidsTheStart() {
    ShutdownReport report = build(builder().resource("db", new LoggingResource("db", log))).stop();
    assertThat(report.components())
        .extracting(ShutdownReport.ComponentReport::outcome)
        .containsExactly(ShutdownReport.Outcome.NOT_RUNNING);
    assertThatThrownBy(supervisor::start).isInstanceOf(IllegalStateException.class);
    assertThat(log).isEmpty();
  }

  @Test
  void aFailedStartRemovesTheShutdownHookItRegistered() {
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Thread[] hook = new Thread[1];
          ManagedResource broken =
              new ManagedResource() {
                @Override
                public void start() throws IOException {
                  hook[0] = supervisor.shutdownHook();
                  throw new IOException("port 8080 in use");
                }

                @Override
                public void stop() {}
              };
          build(builder().resource("http", broken).shutdownHook(true));
          assertThatThrownBy(supervisor::start).isInstanceOf(StartupException.class);
          assertThat(hook[0]).as("the hook registered by start()").isNotNull();
          assertThat(supervisor.shutdownHook()).isNull();
          assertThat(Runtime.getRuntime().removeShutdownHook(hook[0]))
              .as("the failed start removed its hook, so the JVM does not keep the supervisor")
              .isFalse();
        });
  }
}
