package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.internal.SupervisorRuntime;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.internal.Checks;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * Starts a service's long-lived components in order, keeps its workers running, and stops
 * everything gracefully within one budget, telling the truth about what it could not stop.
 *
 * <pre>{@code
 * Supervisor supervisor = Supervisor.builder("orders-service")
 *     .resource("db-pool", pool)                                  // started first, stopped last
 *     .worker("outbox-relay", relay, c -> c
 *         .grace(Duration.ofSeconds(5))
 *         .stallLimit(Duration.ofSeconds(30))
 *         .restart(RestartPolicy.onFailure(backoff, 5, Duration.ofMinutes(1))))
 *     .worker("cache-refresh", PeriodicTask.fixedRate(Duration.ofSeconds(1)).build(ctx -> refresh()))
 *     .jobQueue(emails)
 *     .drainDelay(Duration.ofSeconds(5))                          // let load balancers notice
 *     .shutdownBudget(Duration.ofSeconds(25))                     // below Kubernetes' 30 s
 *     .shutdownHook(true)
 *     .build();
 * supervisor.start();                 // throws StartupException, having stopped what started
 * ...
 * ShutdownReport report = supervisor.stop();
 * }</pre>
 *
 * <p><b>Start.</b> Components start in declared order, each within its start timeout. A worker has
 * started once its thread is started (its code then runs concurrently: the next component may start
 * before the worker's first line has run); a resource once its {@code start()} returned; a job
 * queue once its runner threads are started. If a start fails or times out, the components already
 * started are stopped in reverse order and {@link #start()} throws a {@link StartupException}
 * naming the component and the cause.
 *
 * <p><b>Stop.</b> {@link #stop()} first turns readiness false, waits the drain delay (only if the
 * supervisor was running), then stops the components in reverse order; each gets the stop signal,
 * its grace period, then an interrupt and its interrupt timeout, and is abandoned after that. The
 * total {@linkplain SupervisorBuilder#shutdownBudget(Duration) budget} covers the drain delay and
 * every grace period (build() checks it); interrupt timeouts are paid from what is left beyond the
 * graces still owed to the components stopped later, so a stubborn component never eats a later
 * one's grace, and {@code stop()} returns within the budget whatever the components do. It returns
 * a {@link ShutdownReport}. It is idempotent: every call, concurrent ones included, returns the
 * same report; a stop during {@link #start()} makes the start give up at the next step.
 *
 * <p><b>Restarts.</b> A worker restarts on failure according to its {@link RestartPolicy}. With
 * {@link Strategy#ONE_FOR_ONE} only the failed worker restarts; with {@link Strategy#ALL_FOR_ONE}
 * the other workers are stopped (reverse order, grace then interrupt) and restarted with it. A
 * worker beyond its restart intensity escalates: the supervisor becomes {@link State#FAILED} and
 * stops everything.
 *
 * <p><b>Health.</b> {@link #health()} reports each component's state, time since heartbeat,
 * restarts and last failure, with liveness and readiness; a worker whose last heartbeat is older
 * than its stall limit is unhealthy. Stall detection is computed when health is read, with no timer
 * thread.
 *
 * <p>Threads are virtual unless a {@link SupervisorBuilder#threadFactory(ThreadFactory)} is given.
 * Events for every state change are published to {@linkplain #subscribe(Consumer) listeners}.
 */
public final class Supervisor implements EventSource<SupervisorEvent> {

  /** The supervisor's own state. */
  public enum State {
    /** Built, not started. */
    NEW,
    /** {@link #start()} is in progress. */
    STARTING,
    /** Every component started. */
    RUNNING,
    /** A stop is in progress. */
    STOPPING,
    /** Stopped after {@link #stop()}. */
    STOPPED,
    /** Stopped after a failed start or an escalation. */
    FAILED
  }

  /** How a restart of one worker affects the others (Erlang/OTP's one_for_one, one_for_all). */
  public enum Strategy {
    /** Only the failed worker restarts. */
    ONE_FOR_ONE,
    /** The other workers are stopped and restarted together with the failed one. */
    ALL_FOR_ONE
  }

  /**
   * The configuration of one component: its settings only; its name is its key in {@link
   * Config#components()}.
   *
   * @param kind what it is
   * @param startTimeout how long its start may take
   * @param grace how long it has to stop after the stop signal
   * @param interruptTimeout how long it has to stop after the interrupt, before it is abandoned
   * @param restart its restart policy (workers only)
   * @param stallLimit the heartbeat age after which it is unhealthy (workers only)
   */
  public record ComponentConfig(
      Kind kind,
      Duration startTimeout,
      Duration grace,
      Duration interruptTimeout,
      RestartPolicy restart,
      Optional<Duration> stallLimit) {

    /** What a component is. */
    public enum Kind {
      /** A {@link Worker}. */
      WORKER,
      /** A {@link ManagedResource}. */
      RESOURCE,
      /** A {@link JobQueue}. */
      JOB_QUEUE
    }

    /**
     * Checks the fields.
     *
     * @throws NullPointerException if a field is null
     */
    public ComponentConfig {
      Checks.notNull(kind, "kind");
      Checks.notNull(startTimeout, "startTimeout");
      Checks.notNull(grace, "grace");
      Checks.notNull(interruptTimeout, "interruptTimeout");
      Checks.notNull(restart, "restart");
      Checks.notNull(stallLimit, "stallLimit");
    }
  }

  /**
   * The configuration of a supervisor, as built: its settings only, as the policies' {@code Config}
   * records; the name is {@link Supervisor#name()}, and the time source is not part of it.
   *
   * @param shutdownBudget the total time a stop may take, drain delay included
   * @param drainDelay the wait between readiness turning false and the first stop signal
   * @param strategy how restarts affect other workers
   * @param shutdownHook whether {@link #start()} registers a JVM shutdown hook
   * @param components each component's configuration by its name, in start order
   */
  public record Config(
      Duration shutdownBudget,
      Duration drainDelay,
      Strategy strategy,
      boolean shutdownHook,
      SequencedMap<String, ComponentConfig> components) {

    /**
     * Checks and copies the fields.
     *
     * @throws NullPointerException if a field, a component's name or its configuration is null
     */
    public Config {
      Checks.notNull(shutdownBudget, "shutdownBudget");
      Checks.notNull(drainDelay, "drainDelay");
      Checks.notNull(strategy, "strategy");
      Checks.notNull(components, "components");
      SequencedMap<String, ComponentConfig> copy = new LinkedHashMap<>();
      components.forEach(
          (name, c) -> copy.put(Checks.notNull(name, "component name"), Checks.notNull(c, name)));
      components = Collections.unmodifiableSequencedMap(copy);
    }
  }

  /** Default time a component's start may take. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);

  /** Default grace period of a component. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);

  /** Default time between the interrupt and abandoning a component. */
  public static final Duration DEFAULT_INTERRUPT_TIMEOUT = Duration.ofSeconds(1);

  /** Default total budget of a stop: below Kubernetes' default grace period of 30 s. */
  public static final Duration DEFAULT_SHUTDOWN_BUDGET = Duration.ofSeconds(25);

  private final String name;
  private final Config config;
  private final SupervisorRuntime runtime;

  Supervisor(String name, Config config, SupervisorRuntime runtime) {
    this.name = name;
    this.config = config;
    this.runtime = runtime;
  }

  /**
   * Starts building a supervisor.
   *
   * @param name the supervisor's name, for events, reports and thread names
   * @return a new builder; {@link SupervisorBuilder#build()} validates every setting, the name
   *     included
   */
  public static SupervisorBuilder builder(String name) {
    return new SupervisorBuilder(name);
  }

  /**
   * Returns the name this supervisor was built with.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the configuration this supervisor was built with.
   *
   * @return the configuration
   */
  public Config config() {
    return config;
  }

  /**
   * Returns the supervisor's state now.
   *
   * @return the state
   */
  public State state() {
    return runtime.state();
  }

  @Override
  public Subscription subscribe(Consumer<? super SupervisorEvent> listener) {
    return runtime.listeners().subscribe(listener);
  }

  /**
   * Starts every component in declared order, each within its start timeout, and turns readiness
   * true once all have started. Registers the JVM shutdown hook first, if one was requested.
   *
   * @throws StartupException if a component failed to start or timed out, or a stop or an
   *     escalation came during the start; the components that had started have been stopped, in
   *     reverse order, when it is thrown, and the supervisor is {@link State#FAILED} (or {@link
   *     State#STOPPED} after an explicit stop)
   * @throws IllegalStateException if the supervisor was started or stopped before
   */
  public void start() throws StartupException {
    SupervisorRuntime.StartFailure f = runtime.start();
    if (f != null) {
      throw new StartupException(name(), f.component(), f.reason(), f.cause());
    }
  }

  /**
   * Stops the supervisor: readiness false, the drain delay, then every component in reverse order
   * (stop signal, grace, interrupt, interrupt timeout, abandon), all within the shutdown budget.
   * Idempotent and safe to call concurrently and during {@link #start()}: every call returns the
   * same report. Interrupting the thread that performs the stop makes it skip the remaining waits
   * (components not yet stopped are interrupted and abandoned at once); the interrupt status is
   * restored. A worker may call it on its own thread (to end the service on a fatal condition):
   * that worker gets the stop signal but is not waited for, since it cannot end before this call
   * returns to it, and is reported {@link ShutdownReport.Outcome#GRACEFUL}. So may a job of a
   * {@link JobQueue}: its runner is neither waited for nor interrupted (the queue's other runners
   * are), and the job is not handed back; its handle shows how it ended once it returns.
   *
   * @return what the stop did
   */
  public ShutdownReport stop() {
    return runtime.stop();
  }

  /**
   * Waits until the supervisor has stopped, by {@link #stop()}, a failed start, or an escalation (a
   * worker beyond its restart intensity makes the supervisor stop itself on a thread of its own:
   * this is how to learn that it is over). Waits on the supervisor's time source.
   *
   * @param timeout the longest to wait
   * @return the report of the stop, or empty if it did not finish within {@code timeout}
   * @throws InterruptedException if the calling thread is interrupted while it waits
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  public Optional<ShutdownReport> awaitTermination(Duration timeout) throws InterruptedException {
    return runtime.awaitTermination(Checks.nonNegative(timeout, "timeout"));
  }

  /**
   * Returns the report of a stop that has finished, without starting one.
   *
   * @return the report, or empty if no stop has finished
   */
  public Optional<ShutdownReport> shutdownReport() {
    return runtime.shutdownReport();
  }

  /**
   * Returns the health of the supervisor and each component, computed now. A running worker whose
   * last heartbeat is older than its stall limit is unhealthy and makes the supervisor not live.
   *
   * @return the health
   */
  public SupervisorHealth health() {
    return runtime.health();
  }

  /** The registered shutdown hook, for tests. */
  Thread shutdownHook() {
    return runtime.shutdownHookThread();
  }

  @Override
  public String toString() {
    return "Supervisor[" + name() + ", " + state() + ", " + runtime.size() + " components]";
  }
}
