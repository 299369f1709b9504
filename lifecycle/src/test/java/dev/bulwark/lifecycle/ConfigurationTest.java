package dev.bulwark.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.bulwark.resilience.backoff.Backoff;
import java.time.Duration;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad configuration of the module, and its exact message. */
class ConfigurationTest {

  private static final Worker IDLE = ctx -> ctx.awaitStop(Duration.ofDays(1));
  private static final ManagedResource NOTHING =
      new ManagedResource() {
        @Override
        public void start() {}

        @Override
        public void stop() {}
      };
  private static final Backoff BACKOFF = Backoff.fixed(Duration.ofSeconds(1)).build();

  static Stream<Arguments> badConfigurations() {
    return Stream.of(
        bad(
            "negative budget",
            () -> Supervisor.builder("s").shutdownBudget(Duration.ofSeconds(-1)).build(),
            "shutdownBudget must not be negative, was -1s"),
        bad(
            "negative drain delay",
            () -> Supervisor.builder("s").drainDelay(Duration.ofMillis(-5)).build(),
            "drainDelay must not be negative, was -5ms"),
        bad(
            "negative grace",
            () ->
                Supervisor.builder("s")
                    .worker("w", IDLE, c -> c.grace(Duration.ofSeconds(-1)))
                    .build(),
            "grace of component 'w' must not be negative, was -1s"),
        bad(
            "negative interrupt timeout",
            () ->
                Supervisor.builder("s")
                    .resource("r", NOTHING, c -> c.interruptTimeout(Duration.ofSeconds(-2)))
                    .build(),
            "interruptTimeout of component 'r' must not be negative, was -2s"),
        bad(
            "zero start timeout",
            () ->
                Supervisor.builder("s")
                    .resource("r", NOTHING, c -> c.startTimeout(Duration.ZERO))
                    .build(),
            "startTimeout of component 'r' must be positive, was 0s"),
        bad(
            "zero stall limit",
            () ->
                Supervisor.builder("s").worker("w", IDLE, c -> c.stallLimit(Duration.ZERO)).build(),
            "stallLimit of component 'w' must be positive, was 0s"),
        bad(
            "duplicate component names",
            () -> Supervisor.builder("s").worker("a", IDLE).resource("a", NOTHING).build(),
            "component names must be unique, but 'a' is used twice"),
        bad(
            "budget below drain delay plus grace periods",
            () ->
                Supervisor.builder("s")
                    .drainDelay(Duration.ofSeconds(5))
                    .worker("a", IDLE)
                    .worker("b", IDLE)
                    .shutdownBudget(Duration.ofSeconds(8))
                    .build(),
            "shutdownBudget must be at least drainDelay + the sum of the components' grace periods"
                + " (9s), was 8s"),
        bad(
            "restart intensity below one",
            () -> RestartPolicy.onFailure(BACKOFF, 0, Duration.ofMinutes(1)),
            "maxRestarts must be at least 1, was 0"),
        bad(
            "restart window of zero",
            () -> RestartPolicy.onFailure(BACKOFF, 3, Duration.ZERO),
            "window must be positive, was 0s"),
        bad(
            "periodic task with a zero period",
            () -> PeriodicTask.fixedRate(Duration.ZERO).build(ctx -> {}),
            "period must be positive, was 0s"),
        bad(
            "periodic task with a negative initial delay",
            () ->
                PeriodicTask.fixedDelay(Duration.ofSeconds(1))
                    .initialDelay(Duration.ofSeconds(-1))
                    .build(ctx -> {}),
            "initialDelay must not be negative, was -1s"),
        bad(
            "periodic task with a negative jitter",
            () ->
                PeriodicTask.fixedDelay(Duration.ofSeconds(1))
                    .jitter(Duration.ofMillis(-1))
                    .build(ctx -> {}),
            "jitter must not be negative, was -1ms"),
        bad(
            "periodic task with jitter longer than the period",
            () ->
                PeriodicTask.fixedRate(Duration.ofSeconds(1))
                    .jitter(Duration.ofSeconds(2))
                    .build(ctx -> {}),
            "jitter must be at most the period (1s), was 2s"),
        bad(
            "job queue of capacity zero",
            () -> JobQueue.<String>builder("q", j -> {}).capacity(0).build(),
            "capacity must be at least 1, was 0"),
        bad(
            "job queue without runners",
            () -> JobQueue.<String>builder("q", j -> {}).concurrency(0).build(),
            "concurrency must be at least 1, was 0"),
        bad(
            "job queue stopped with a negative grace",
            () ->
                JobQueue.<String>builder("q", j -> {})
                    .build()
                    .stop(Duration.ofSeconds(-1), Duration.ZERO),
            "grace must not be negative, was -1s"));
  }

  private static Arguments bad(String what, ThrowingCallable build, String message) {
    return Arguments.of(what, build, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badConfigurations")
  void refusesBadConfigurationWithAClearMessage(
      String what, ThrowingCallable build, String message) {
    assertThatThrownBy(build).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  /**
   * The one rule for nulls in every builder of the module (as in resilience-core and streaming):
   * factories and setters take whatever they are given, and {@code build()} refuses a null with a
   * {@link NullPointerException} naming the setting (a component's setting with its component).
   */
  static Stream<Arguments> nullSettings() {
    Worker idle = ctx -> {};
    Duration second = Duration.ofSeconds(1);
    return Stream.of(
        isNull("name", () -> Supervisor.builder(null)::build),
        isNull("shutdownBudget", () -> Supervisor.builder("s").shutdownBudget(null)::build),
        isNull("drainDelay", () -> Supervisor.builder("s").drainDelay(null)::build),
        isNull("strategy", () -> Supervisor.builder("s").strategy(null)::build),
        isNull("threadFactory", () -> Supervisor.builder("s").threadFactory(null)::build),
        isNull("timeSource", () -> Supervisor.builder("s").timeSource(null)::build),
        isNull("component name", () -> Supervisor.builder("s").worker(null, idle)::build),
        isNull("component 'w'", () -> Supervisor.builder("s").worker("w", null)::build),
        isNull(
            "component 'r'",
            () -> Supervisor.builder("s").resource("r", (ManagedResource) null)::build),
        isNull("queue", () -> Supervisor.builder("s").jobQueue(null)::build),
        isNull(
            "settings of component 'w'",
            () -> Supervisor.builder("s").worker("w", idle, null)::build),
        isNull(
            "startTimeout of component 'w'",
            () -> Supervisor.builder("s").worker("w", idle, c -> c.startTimeout(null))::build),
        isNull(
            "grace of component 'w'",
            () -> Supervisor.builder("s").worker("w", idle, c -> c.grace(null))::build),
        isNull(
            "interruptTimeout of component 'w'",
            () -> Supervisor.builder("s").worker("w", idle, c -> c.interruptTimeout(null))::build),
        isNull(
            "restart of component 'w'",
            () -> Supervisor.builder("s").worker("w", idle, c -> c.restart(null))::build),
        isNull(
            "stallLimit of component 'w'",
            () -> Supervisor.builder("s").worker("w", idle, c -> c.stallLimit(null))::build),
        isNull("name", () -> JobQueue.builder(null, j -> {})::build),
        isNull("handler", () -> JobQueue.builder("q", null)::build),
        isNull("policy", () -> JobQueue.builder("q", j -> {}).policy(null)::build),
        isNull("threadFactory", () -> JobQueue.builder("q", j -> {}).threadFactory(null)::build),
        isNull("timeSource", () -> JobQueue.builder("q", j -> {}).timeSource(null)::build),
        isNull("unfinishedSink", () -> JobQueue.builder("q", j -> {}).unfinishedSink(null)::build),
        isNull("period", () -> () -> PeriodicTask.fixedRate(null).build(ctx -> {})),
        isNull("period", () -> () -> PeriodicTask.fixedDelay(null).build(ctx -> {})),
        isNull(
            "initialDelay",
            () -> () -> PeriodicTask.fixedRate(second).initialDelay(null).build(ctx -> {})),
        isNull("jitter", () -> () -> PeriodicTask.fixedRate(second).jitter(null).build(ctx -> {})),
        isNull("random", () -> () -> PeriodicTask.fixedRate(second).random(null).build(ctx -> {})),
        isNull(
            "onError", () -> () -> PeriodicTask.fixedRate(second).onError(null).build(ctx -> {})),
        isNull("iteration", () -> () -> PeriodicTask.fixedRate(second).build(null)));
  }

  /** Something to build. */
  interface Buildable {
    Object build();
  }

  private static Arguments isNull(String setting, java.util.function.Supplier<Buildable> set) {
    return Arguments.of(setting, set);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nullSettings")
  void aNullSettingIsRefusedByBuildNamingIt(
      String setting, java.util.function.Supplier<Buildable> set) {
    Buildable configured;
    try {
      configured = set.get();
    } catch (RuntimeException e) {
      throw new AssertionError("a null " + setting + " was refused at once", e);
    }
    assertThatThrownBy(configured::build)
        .isInstanceOf(NullPointerException.class)
        .hasMessage(setting);
  }

  @Test
  void aRestartPolicyRefusesANullBackoffAtOnceAsEveryValueRecordDoes() {
    assertThatThrownBy(() -> RestartPolicy.onFailure(null, 1, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("backoff");
  }

  @Test
  void aJobQueueJoinsOnlyOneSupervisor() {
    JobQueue<String> q = JobQueue.<String>builder("q", j -> {}).build();
    Supervisor.builder("first").jobQueue(q).build();
    assertThatThrownBy(() -> Supervisor.builder("second").jobQueue(q).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "job queue 'q' cannot join supervisor 'second': it belongs to supervisor 'first'");
    assertThatThrownBy(q::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("job queue 'q' belongs to supervisor 'first', which starts it");
  }

  @Test
  void aBuildRefusedForOneJobQueueLeavesTheOtherQueuesFree() {
    JobQueue<String> taken = JobQueue.<String>builder("taken", j -> {}).build();
    JobQueue<String> free = JobQueue.<String>builder("free", j -> {}).build();
    Supervisor.builder("first").jobQueue(taken).build();
    assertThatThrownBy(() -> Supervisor.builder("second").jobQueue(free).jobQueue(taken).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "job queue 'taken' cannot join supervisor 'second': it belongs to supervisor 'first'");
    Supervisor third = Supervisor.builder("third").jobQueue(free).build();
    assertThat(third.config().components().keySet()).containsExactly("free");
  }

  @Test
  void aStoppedJobQueueCannotJoinASupervisorAndSaysWhy() {
    JobQueue<String> q = JobQueue.<String>builder("q", j -> {}).build();
    q.stop(java.time.Duration.ZERO, java.time.Duration.ZERO);
    assertThatThrownBy(() -> Supervisor.builder("app").jobQueue(q).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("job queue 'q' cannot join supervisor 'app': it was stopped before");
  }

  @Test
  void exposesTheBuiltConfigurationAsRecords() {
    RestartPolicy restart = RestartPolicy.onFailure(BACKOFF, 3, Duration.ofMinutes(1));
    Supervisor s =
        Supervisor.builder("s")
            .resource("db", NOTHING)
            .worker(
                "w",
                IDLE,
                c ->
                    c.grace(Duration.ofSeconds(1))
                        .restart(restart)
                        .stallLimit(Duration.ofSeconds(30)))
            .drainDelay(Duration.ofSeconds(3))
            .strategy(Supervisor.Strategy.ALL_FOR_ONE)
            .build();
    assertThat(s.name()).isEqualTo("s");
    assertThat(s.config().components())
        .containsExactly(
            entry(
                "db",
                new Supervisor.ComponentConfig(
                    Supervisor.ComponentConfig.Kind.RESOURCE,
                    Supervisor.DEFAULT_START_TIMEOUT,
                    Supervisor.DEFAULT_GRACE,
                    Supervisor.DEFAULT_INTERRUPT_TIMEOUT,
                    RestartPolicy.never(),
                    java.util.Optional.empty())),
            entry(
                "w",
                new Supervisor.ComponentConfig(
                    Supervisor.ComponentConfig.Kind.WORKER,
                    Supervisor.DEFAULT_START_TIMEOUT,
                    Duration.ofSeconds(1),
                    Supervisor.DEFAULT_INTERRUPT_TIMEOUT,
                    restart,
                    java.util.Optional.of(Duration.ofSeconds(30)))));
    assertThat(s.config().shutdownBudget()).isEqualTo(Duration.ofSeconds(25));
    assertThat(s.config().drainDelay()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.config().strategy()).isEqualTo(Supervisor.Strategy.ALL_FOR_ONE);
    JobQueue<String> q = JobQueue.<String>builder("q", j -> {}).capacity(5).concurrency(2).build();
    assertThat(q.name()).isEqualTo("q");
    assertThat(q.config()).isEqualTo(new JobQueue.Config(5, 2, java.util.Optional.empty()));
    assertThat(PeriodicTask.fixedRate(Duration.ofSeconds(1)).build(ctx -> {}).config())
        .isEqualTo(
            new PeriodicTask.Config(
                PeriodicTask.Schedule.FIXED_RATE,
                Duration.ofSeconds(1),
                Duration.ZERO,
                Duration.ZERO,
                PeriodicTask.OnError.LOG_AND_CONTINUE));
  }
}
