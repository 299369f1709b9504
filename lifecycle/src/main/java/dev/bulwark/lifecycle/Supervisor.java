package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.internal.Budget;
import dev.bulwark.lifecycle.internal.StopProtocol;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Listeners;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 * total {@linkplain Builder#shutdownBudget(Duration) budget} covers the drain delay and every grace
 * period (build() checks it); interrupt timeouts are paid from what is left beyond the graces still
 * owed to the components stopped later, so a stubborn component never eats a later one's grace, and
 * {@code stop()} returns within the budget whatever the components do. It returns a {@link
 * ShutdownReport}. It is idempotent: every call, concurrent ones included, returns the same report;
 * a stop during {@link #start()} makes the start give up at the next step.
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
 * <p>Threads are virtual unless a {@link Builder#threadFactory(ThreadFactory)} is given. Events for
 * every state change are published to {@linkplain #subscribe(Consumer) listeners}.
 */
public final class Supervisor implements EventSource<SupervisorEvent> {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.lifecycle");

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
   * The configuration of one component.
   *
   * @param name the component's name, unique within the supervisor
   * @param kind what it is
   * @param startTimeout how long its start may take
   * @param grace how long it has to stop after the stop signal
   * @param interruptTimeout how long it has to stop after the interrupt, before it is abandoned
   * @param restart its restart policy (workers only)
   * @param stallLimit the heartbeat age after which it is unhealthy (workers only)
   */
  public record ComponentConfig(
      String name,
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
      Checks.notNull(name, "name");
      Checks.notNull(kind, "kind");
      Checks.notNull(startTimeout, "startTimeout");
      Checks.notNull(grace, "grace");
      Checks.notNull(interruptTimeout, "interruptTimeout");
      Checks.notNull(restart, "restart");
      Checks.notNull(stallLimit, "stallLimit");
    }
  }

  /**
   * The configuration of a supervisor, as built.
   *
   * @param name the supervisor's name
   * @param shutdownBudget the total time a stop may take, drain delay included
   * @param drainDelay the wait between readiness turning false and the first stop signal
   * @param strategy how restarts affect other workers
   * @param shutdownHook whether {@link #start()} registers a JVM shutdown hook
   * @param components the components, in start order
   */
  public record Config(
      String name,
      Duration shutdownBudget,
      Duration drainDelay,
      Strategy strategy,
      boolean shutdownHook,
      List<ComponentConfig> components) {

    /**
     * Checks and copies the fields.
     *
     * @throws NullPointerException if a field is null
     */
    public Config {
      Checks.notNull(name, "name");
      Checks.notNull(shutdownBudget, "shutdownBudget");
      Checks.notNull(drainDelay, "drainDelay");
      Checks.notNull(strategy, "strategy");
      components = List.copyOf(components);
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

  private final Config config;
  private final TimeSource time;
  private final ThreadFactory threadFactory;
  private final boolean namedThreads;
  private final List<Component> components;
  private final List<WorkerComponent> workers;
  private final ShutdownHook hook = new ShutdownHook();
  private final Listeners<SupervisorEvent> listeners;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  // guarded by lock
  private State state = State.NEW;
  private boolean ready;
  private boolean stopRequested;
  private boolean startLoopActive;
  private Component starting;
  private boolean stopInProgress;
  private ShutdownReport report;
  private Throwable escalationCause;
  private String escalatedComponent;

  private Supervisor(Builder b, Config config) {
    this.config = config;
    this.time = b.time;
    this.threadFactory = b.threadFactory != null ? b.threadFactory : Thread.ofVirtual().factory();
    this.namedThreads = b.threadFactory == null;
    this.listeners = new Listeners<>("supervisor '" + config.name() + "'");
    ComponentHost host = new Host();
    ComponentHost.Siblings siblings =
        config.strategy() == Strategy.ALL_FOR_ONE ? new AllForOne() : null;
    List<Component> list = new ArrayList<>();
    List<WorkerComponent> workerList = new ArrayList<>();
    for (int i = 0; i < b.specs.size(); i++) {
      ComponentConfig cc = config.components().get(i);
      Component c =
          switch (b.specs.get(i)) {
            case ComponentSpec.WorkerSpec w -> {
              WorkerComponent wc = new WorkerComponent(cc.name(), cc, host, w.worker(), siblings);
              workerList.add(wc);
              yield wc;
            }
            case ComponentSpec.ResourceSpec r ->
                new ResourceComponent(cc.name(), cc, host, r.resource());
            case ComponentSpec.QueueSpec q -> new JobQueueComponent(cc.name(), cc, host, q.queue());
          };
      list.add(c);
    }
    this.components = List.copyOf(list);
    this.workers = List.copyOf(workerList);
  }

  /**
   * Starts building a supervisor.
   *
   * @param name the supervisor's name, for events, reports and thread names
   * @return a new builder; {@link Builder#build()} validates every setting, the name included
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Returns the name this supervisor was built with.
   *
   * @return the name
   */
  public String name() {
    return config.name();
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
    lock.lock();
    try {
      return state;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Subscription subscribe(Consumer<? super SupervisorEvent> listener) {
    return listeners.subscribe(listener);
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
    lock.lock();
    try {
      if (state != State.NEW) {
        throw new IllegalStateException(
            "Expected supervisor '" + name() + "' to be NEW, but was " + state);
      }
      state = State.STARTING;
      startLoopActive = true;
    } finally {
      lock.unlock();
    }
    publishState(State.NEW, State.STARTING);
    registerHook();
    StartSequence.Result result = StartSequence.run(components, new StartGate());
    String failed = result.failed();
    String reason = result.reason();
    Throwable cause = result.cause();
    boolean interrupted = result.interrupted();
    boolean started;
    lock.lock();
    try {
      startLoopActive = false;
      changed.signalAll();
      if (failed == null && stopRequested) {
        failed = components.isEmpty() ? "(none)" : components.getLast().name;
      }
      if (failed != null && cause == null) {
        if (escalationCause != null) {
          failed = escalatedComponent;
          reason = "it failed beyond its restart intensity while the supervisor started";
          cause = escalationCause;
        } else {
          reason = "the supervisor was stopped while it started";
        }
      }
      started = failed == null;
      if (started) {
        state = State.RUNNING;
        ready = true;
      }
    } finally {
      lock.unlock();
    }
    if (started) {
      publishState(State.STARTING, State.RUNNING);
      if (!listeners.isEmpty()) {
        listeners.publish(new SupervisorEvent.ReadinessChanged(name(), true));
      }
      return;
    }
    if (cause != null && escalationCause == null) {
      lock.lock();
      try {
        if (!stopInProgress && report == null) {
          escalationCause = cause; // a failed start ends in FAILED
        }
      } finally {
        lock.unlock();
      }
    }
    stop(); // also removes the shutdown hook, so that the JVM does not keep this supervisor
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    throw new StartupException(name(), failed, reason, cause);
  }

  /** The supervisor's side of the start sequence: a stop ends it, and can cancel one start. */
  private final class StartGate implements StartSequence.Gate {
    @Override
    public boolean begin(Component c) {
      lock.lock();
      try {
        if (stopRequested) {
          return false;
        }
        starting = c;
        return true;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void end() {
      lock.lock();
      try {
        starting = null;
      } finally {
        lock.unlock();
      }
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
    ShutdownReport r = runStop();
    removeHook();
    return r;
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
    long n = Durations.saturatedNanos(Checks.nonNegative(timeout, "timeout"));
    lock.lock();
    try {
      while (report == null && n > 0) {
        n = time.awaitNanos(lock, changed, n);
      }
      return Optional.ofNullable(report);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the report of a stop that has finished, without starting one.
   *
   * @return the report, or empty if no stop has finished
   */
  public Optional<ShutdownReport> shutdownReport() {
    lock.lock();
    try {
      return Optional.ofNullable(report);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the health of the supervisor and each component, computed now. A running worker whose
   * last heartbeat is older than its stall limit is unhealthy and makes the supervisor not live.
   *
   * @return the health
   */
  public SupervisorHealth health() {
    long now = time.nanoTime();
    List<ComponentHealth> list = new ArrayList<>(components.size());
    boolean allHealthy = true;
    for (Component c : components) {
      ComponentHealth h = c.health(now);
      allHealthy &= h.healthy();
      list.add(h);
    }
    State s;
    boolean r;
    lock.lock();
    try {
      s = state;
      r = ready;
    } finally {
      lock.unlock();
    }
    boolean live = s != State.FAILED && allHealthy;
    return new SupervisorHealth(name(), s, live, r && live && s == State.RUNNING, list);
  }

  // ---------------------------------------------------------------------------------------------
  // The stop

  /*
   * How a stop runs. Exactly one thread performs it: the first to call stop(), a start() that
   * failed, or the thread that an escalation starts. Others wait for its report (the performer is
   * bounded by the budget, so they are too). The performer takes the deadline from the time source
   * once; every later wait is the smaller of the phase's own time and what is left until the
   * deadline, so the whole stop cannot outlast the budget, however the components behave. A
   * start() in progress is told to give up (the component being started is cancelled) and the
   * performer waits for the start loop to leave, so that it knows exactly which components started.
   */
  private ShutdownReport runStop() {
    State from;
    boolean wasReady;
    lock.lock();
    try {
      stopRequested = true;
      if (starting != null) {
        starting.cancelStart();
      }
      changed.signalAll();
      if (report != null) {
        return report;
      }
      if (stopInProgress) {
        return awaitReportLocked();
      }
      stopInProgress = true;
      from = state;
      wasReady = ready;
      ready = false;
      state = State.STOPPING;
    } finally {
      lock.unlock();
    }
    if (wasReady && !listeners.isEmpty()) {
      listeners.publish(new SupervisorEvent.ReadinessChanged(name(), false));
    }
    publishState(from, State.STOPPING);
    Budget budget = Budget.of(time, config.shutdownBudget());
    budget.owe(StopSequence.graces(components));
    if (from == State.RUNNING && !config.drainDelay().isZero()) {
      waitDrain(budget, Durations.saturatedNanos(config.drainDelay()));
    }
    awaitStartLoop(budget);
    List<ShutdownReport.ComponentReport> reports = StopSequence.stopAll(components, budget);
    ShutdownReport r =
        new ShutdownReport(
            name(),
            Duration.ofNanos(time.nanoTime() - budget.start()),
            config.shutdownBudget(),
            reports);
    State to;
    lock.lock();
    try {
      to = escalationCause != null ? State.FAILED : State.STOPPED;
      state = to;
      report = r;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    publishState(State.STOPPING, to);
    if (!listeners.isEmpty()) {
      listeners.publish(new SupervisorEvent.Stopped(name(), r));
    }
    if (budget.wasInterrupted()) {
      Thread.currentThread().interrupt();
    }
    return r;
  }

  /** Waits, holding the lock, for another thread's stop to finish; keeps an interrupt for later. */
  private ShutdownReport awaitReportLocked() {
    boolean interrupted = false;
    while (report == null) {
      try {
        changed.await();
      } catch (InterruptedException e) {
        interrupted = true; // the performer is bounded by the budget: finish waiting, then restore
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return report;
  }

  private void waitDrain(Budget budget, long drain) {
    long end = time.nanoTime() + budget.left(drain);
    lock.lock();
    try {
      long n;
      while (!budget.wasInterrupted() && (n = end - time.nanoTime()) > 0) {
        time.awaitNanos(lock, changed, n);
      }
    } catch (InterruptedException e) {
      budget.markInterrupted();
    } finally {
      lock.unlock();
    }
  }

  private void awaitStartLoop(Budget budget) {
    lock.lock();
    try {
      while (startLoopActive) {
        long n = budget.left(Long.MAX_VALUE);
        if (n <= 0) {
          break;
        }
        time.awaitNanos(lock, changed, n);
      }
    } catch (InterruptedException e) {
      budget.markInterrupted();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // What components see of the supervisor

  /** The supervisor as its components see it. */
  private final class Host implements ComponentHost {
    @Override
    public String name() {
      return Supervisor.this.name();
    }

    @Override
    public TimeSource timeSource() {
      return time;
    }

    @Override
    public Thread newThread(Runnable task, String threadName) {
      return Supervisor.this.newThread(task, threadName);
    }

    @Override
    public void changed(
        String component, ComponentState from, ComponentState to, Throwable failure) {
      if (!listeners.isEmpty()) {
        listeners.publish(
            new SupervisorEvent.ComponentStateChanged(name(), component, from, to, failure));
      }
    }

    @Override
    public void restartScheduled(String component, int restart, long delayNanos, Throwable cause) {
      if (!listeners.isEmpty()) {
        listeners.publish(
            new SupervisorEvent.RestartScheduled(
                name(), component, restart, Duration.ofNanos(delayNanos), cause));
      }
    }

    @Override
    public void iterationFailed(String component, Throwable failure) {
      if (!listeners.isEmpty()) {
        listeners.publish(new SupervisorEvent.IterationFailed(name(), component, failure));
      }
    }

    @Override
    public void escalate(String component, Throwable cause) {
      Supervisor.this.escalate(component, cause);
    }
  }

  /** The all-for-one strategy, for the workers. */
  private final class AllForOne implements ComponentHost.Siblings {
    @Override
    public boolean pause(WorkerComponent failed) {
      return pauseSiblings(failed);
    }

    @Override
    public void resume(WorkerComponent failed) {
      resumeSiblings(failed);
    }
  }

  private Thread newThread(Runnable task, String threadName) {
    Thread t = threadFactory.newThread(task);
    if (t == null) {
      throw new IllegalStateException(
          "threadFactory of supervisor '" + name() + "' returned null for '" + threadName + "'");
    }
    if (namedThreads) {
      t.setName(name() + "/" + threadName);
    }
    return t;
  }

  /** A worker went beyond its restart intensity: fail, and stop everything on a new thread. */
  private void escalate(String component, Throwable cause) {
    lock.lock();
    try {
      if (stopRequested) {
        return;
      }
      stopRequested = true;
      escalationCause = cause;
      escalatedComponent = component;
      if (starting != null) {
        starting.cancelStart();
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (!listeners.isEmpty()) {
      listeners.publish(new SupervisorEvent.Escalated(name(), component, cause));
    }
    try {
      newThread(this::stop, "escalation").start();
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
      // The thread factory failed (threw, returned null, or made a thread that would not start).
      // The escalated worker's thread has finished its own work, so it performs the stop itself,
      // rather than leave the supervisor RUNNING with an escalation nobody acts on.
      LOG.log(
          System.Logger.Level.WARNING,
          () ->
              "supervisor '"
                  + name()
                  + "' could not start a thread for the stop that the failure of '"
                  + component
                  + "' escalated to; the failed worker's thread stops it",
          e);
      stop();
    }
  }

  /**
   * Stops the other running workers for an all-for-one restart, in reverse order, each within its
   * grace and interrupt timeout.
   *
   * @return false if one of them could not be stopped (the caller escalates)
   */
  private boolean pauseSiblings(WorkerComponent failed) {
    // only a stop interrupts a worker's thread: then the restart will not happen, and the stop
    // stops the siblings
    Budget budget = Budget.yieldingToInterrupt(time);
    for (int i = workers.size() - 1; i >= 0; i--) {
      WorkerComponent w = workers.get(i);
      if (w != failed) {
        ShutdownReport.Outcome o =
            StopProtocol.stop(
                w.pauseTarget(), w.config.grace(), w.config.interruptTimeout(), budget);
        if (budget.gaveUp()) {
          return true;
        }
        if (o == ShutdownReport.Outcome.ABANDONED) {
          return false;
        }
      }
    }
    return true;
  }

  /** Restarts, in declared order, the workers paused by {@link #pauseSiblings}. */
  private void resumeSiblings(WorkerComponent failed) {
    for (WorkerComponent w : workers) {
      if (w != failed) {
        w.resume();
      }
    }
  }

  private void publishState(State from, State to) {
    if (from != to && !listeners.isEmpty()) {
      listeners.publish(new SupervisorEvent.StateChanged(name(), from, to));
    }
  }

  private void registerHook() {
    if (config.shutdownHook()) {
      hook.register(name() + "-shutdown-hook", this::runStop);
    }
  }

  private void removeHook() {
    hook.remove();
  }

  /** The registered shutdown hook, for tests. */
  Thread shutdownHook() {
    return hook.thread();
  }

  @Override
  public String toString() {
    return "Supervisor[" + name() + ", " + state() + ", " + components.size() + " components]";
  }

  // ---------------------------------------------------------------------------------------------
  // Building

  /**
   * The settings every component has, given in the lambda of {@link Builder#resource(String,
   * ManagedResource, Consumer)} and {@link Builder#jobQueue(JobQueue, Consumer)}; a worker's lambda
   * gets {@link WorkerSettings}, which add what only a worker has. Validated by {@link
   * Builder#build()}.
   */
  public static sealed class ComponentSettings permits WorkerSettings {
    private Duration startTimeout = DEFAULT_START_TIMEOUT;
    private Duration grace = DEFAULT_GRACE;
    private Duration interruptTimeout = DEFAULT_INTERRUPT_TIMEOUT;

    private ComponentSettings() {}

    /**
     * Sets how long the component's start may take (default 30 s). Must be positive.
     *
     * @param startTimeout the start timeout
     * @return these settings
     */
    public ComponentSettings startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    /**
     * Sets how long the component has to stop after the stop signal (default 2 s). Must not be
     * negative; the supervisor's budget must hold the sum of all grace periods.
     *
     * @param grace the grace period
     * @return these settings
     */
    public ComponentSettings grace(Duration grace) {
      this.grace = grace;
      return this;
    }

    /**
     * Sets how long the component has to stop after its thread is interrupted, before it is
     * abandoned (default 1 s). Must not be negative. Paid from the budget beyond the grace periods
     * still owed to the components stopped later, so it may be cut short.
     *
     * @param interruptTimeout the interrupt timeout
     * @return these settings
     */
    public ComponentSettings interruptTimeout(Duration interruptTimeout) {
      this.interruptTimeout = interruptTimeout;
      return this;
    }
  }

  /** The settings of a worker: those of every component, and its restart policy and stall limit. */
  public static final class WorkerSettings extends ComponentSettings {
    private RestartPolicy restart = RestartPolicy.never();
    private boolean restartSet;
    private Duration stallLimit;
    private boolean stallLimitSet;

    private WorkerSettings() {}

    @Override
    public WorkerSettings startTimeout(Duration startTimeout) {
      super.startTimeout(startTimeout);
      return this;
    }

    @Override
    public WorkerSettings grace(Duration grace) {
      super.grace(grace);
      return this;
    }

    @Override
    public WorkerSettings interruptTimeout(Duration interruptTimeout) {
      super.interruptTimeout(interruptTimeout);
      return this;
    }

    /**
     * Sets the restart policy (default {@link RestartPolicy#never()}).
     *
     * @param restart the policy
     * @return these settings
     */
    public WorkerSettings restart(RestartPolicy restart) {
      this.restart = restart;
      this.restartSet = true;
      return this;
    }

    /**
     * Sets the heartbeat age beyond which the running worker is unhealthy (default: none). Must be
     * positive. A {@link PeriodicTask} waiting for its next tick is not stalled, so for it the
     * limit bounds how long one iteration may hang, whatever the period.
     *
     * @param stallLimit the stall limit
     * @return these settings
     */
    public WorkerSettings stallLimit(Duration stallLimit) {
      this.stallLimit = stallLimit;
      this.stallLimitSet = true;
      return this;
    }
  }

  /** Builds a {@link Supervisor}; every setting is validated by {@link #build()}. */
  public static final class Builder {
    private final String name;
    private final List<ComponentSpec> specs = new ArrayList<>();
    private Duration shutdownBudget = DEFAULT_SHUTDOWN_BUDGET;
    private Duration drainDelay = Duration.ZERO;
    private Strategy strategy = Strategy.ONE_FOR_ONE;
    private boolean shutdownHook;
    private ThreadFactory threadFactory;
    private TimeSource time = TimeSource.system();

    private boolean threadFactorySet;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Adds a worker with default settings.
     *
     * @param name the component's name
     * @param worker the worker
     * @return this builder
     */
    public Builder worker(String name, Worker worker) {
      return worker(name, worker, s -> {});
    }

    /**
     * Adds a worker.
     *
     * <p>A component's settings are given in a lambda rather than a builder of their own: they
     * belong to this registration, and are validated with the rest by {@link #build()} (which names
     * the component in its message: {@code grace of component 'relay' must not be negative}); they
     * read back through {@link Supervisor#config()}.
     *
     * @param name the component's name
     * @param worker the worker
     * @param settings sets the worker's start timeout, grace, interrupt timeout, restart policy and
     *     stall limit
     * @return this builder
     */
    public Builder worker(String name, Worker worker, Consumer<WorkerSettings> settings) {
      specs.add(new ComponentSpec.WorkerSpec(name, worker, settings));
      return this;
    }

    /**
     * Adds a managed resource with default settings.
     *
     * @param name the component's name
     * @param resource the resource
     * @return this builder
     */
    public Builder resource(String name, ManagedResource resource) {
      return resource(name, resource, s -> {});
    }

    /**
     * Adds a managed resource.
     *
     * @param name the component's name
     * @param resource the resource
     * @param settings sets the start timeout, grace and interrupt timeout
     * @return this builder
     */
    public Builder resource(
        String name, ManagedResource resource, Consumer<ComponentSettings> settings) {
      specs.add(new ComponentSpec.ResourceSpec(name, resource, settings));
      return this;
    }

    /**
     * Adds a job queue, under its own name, with default settings. The supervisor starts its
     * runners and, on stop, drains it within its grace and hands back its unfinished jobs in the
     * report.
     *
     * @param queue the job queue; it must not be started by anyone else
     * @return this builder
     */
    public Builder jobQueue(JobQueue<?> queue) {
      return jobQueue(queue, s -> {});
    }

    /**
     * Adds a job queue, under its own name.
     *
     * @param queue the job queue; it must not be started by anyone else
     * @param settings sets the start timeout, grace (the drain time) and interrupt timeout
     * @return this builder
     */
    public Builder jobQueue(JobQueue<?> queue, Consumer<ComponentSettings> settings) {
      specs.add(new ComponentSpec.QueueSpec(queue == null ? null : queue.name(), queue, settings));
      return this;
    }

    /**
     * Sets the total time a stop may take, drain delay and every component's grace included
     * (default 25 s). Must be at least the drain delay plus the sum of the grace periods: each
     * component is guaranteed its whole grace. Interrupt timeouts are not guaranteed: a component's
     * wait after the interrupt is cut short so as to leave the later components their graces.
     *
     * @param shutdownBudget the budget
     * @return this builder
     */
    public Builder shutdownBudget(Duration shutdownBudget) {
      this.shutdownBudget = shutdownBudget;
      return this;
    }

    /**
     * Sets how long a stop waits, after readiness turned false, before it stops the first component
     * (default zero): time for load balancers to stop sending traffic.
     *
     * @param drainDelay the drain delay
     * @return this builder
     */
    public Builder drainDelay(Duration drainDelay) {
      this.drainDelay = drainDelay;
      return this;
    }

    /**
     * Sets how a worker's restart affects the other workers (default {@link Strategy#ONE_FOR_ONE}).
     *
     * @param strategy the strategy
     * @return this builder
     */
    public Builder strategy(Strategy strategy) {
      this.strategy = strategy;
      return this;
    }

    /**
     * Registers, on {@link #start()}, a JVM shutdown hook that calls {@link #stop()} (default
     * false). The hook never calls {@code System.exit}; an explicit stop removes it.
     *
     * @param shutdownHook whether to register the hook
     * @return this builder
     */
    public Builder shutdownHook(boolean shutdownHook) {
      this.shutdownHook = shutdownHook;
      return this;
    }

    /**
     * Sets the factory of the threads that run workers and the starts and stops of resources
     * (default: virtual threads named {@code supervisor/component}). If it fails (throws, returns
     * null or a thread that will not start): at {@link Supervisor#start()} the start fails with it;
     * when an all-for-one restart needs a new thread for a worker, that worker becomes {@link
     * ComponentState#FAILED} with the failure as its cause (an event and a log warning say so) and
     * the other components run on; when an escalation cannot get the thread of its stop, the
     * escalated worker's own thread performs the stop.
     *
     * @param threadFactory the factory
     * @return this builder
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = threadFactory;
      this.threadFactorySet = true;
      return this;
    }

    /**
     * Sets the time source for timeouts, grace periods, backoff delays and heartbeats (default
     * {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.time = timeSource;
      return this;
    }

    private static void checkTarget(String name, Object target) {
      Checks.notNull(name, "component name");
      Checks.notNull(target, "component '" + name + "'");
    }

    /**
     * Validates the settings and builds the supervisor.
     *
     * @return the supervisor
     * @throws IllegalArgumentException if a duration is negative (or not positive where it must
     *     be), two components share a name, a job queue is already supervised, or the budget is
     *     less than the drain delay plus the sum of the grace periods
     * @throws NullPointerException if the name, a component, its name, its settings or any setting
     *     given is null (a component's setting is named with the component, e.g. {@code "grace of
     *     component 'db'"})
     */
    public Supervisor build() {
      Checks.notNull(name, "name");
      Checks.nonNegative(shutdownBudget, "shutdownBudget");
      Checks.nonNegative(drainDelay, "drainDelay");
      Checks.notNull(strategy, "strategy");
      if (threadFactorySet) {
        Checks.notNull(threadFactory, "threadFactory");
      }
      Checks.notNull(time, "timeSource");
      Set<String> names = new HashSet<>();
      List<ComponentConfig> configs = new ArrayList<>();
      Duration needed = drainDelay;
      for (ComponentSpec e : specs) {
        ComponentSettings s;
        ComponentConfig.Kind kind;
        String what = " of component '" + e.name() + "'";
        switch (e) {
          case ComponentSpec.WorkerSpec w -> {
            checkTarget(w.name(), w.worker());
            Checks.notNull(w.settings(), "settings" + what);
            WorkerSettings ws = new WorkerSettings();
            w.settings().accept(ws);
            s = ws;
            kind = ComponentConfig.Kind.WORKER;
          }
          case ComponentSpec.ResourceSpec r -> {
            checkTarget(r.name(), r.resource());
            Checks.notNull(r.settings(), "settings" + what);
            s = new ComponentSettings();
            r.settings().accept(s);
            kind = ComponentConfig.Kind.RESOURCE;
          }
          case ComponentSpec.QueueSpec q -> {
            Checks.notNull(q.queue(), "queue");
            Checks.notNull(q.settings(), "settings" + what);
            s = new ComponentSettings();
            q.settings().accept(s);
            kind = ComponentConfig.Kind.JOB_QUEUE;
          }
        }
        Checks.require(
            names.add(e.name()),
            "component names must be unique, but '" + e.name() + "' is used twice");
        Checks.positive(s.startTimeout, "startTimeout" + what);
        Checks.nonNegative(s.grace, "grace" + what);
        Checks.nonNegative(s.interruptTimeout, "interruptTimeout" + what);
        RestartPolicy restart = RestartPolicy.never();
        Optional<Duration> stallLimit = Optional.empty();
        if (s instanceof WorkerSettings ws) {
          if (ws.restartSet) {
            restart = Checks.notNull(ws.restart, "restart" + what);
          }
          if (ws.stallLimitSet) {
            stallLimit = Optional.of(Checks.positive(ws.stallLimit, "stallLimit" + what));
          }
        }
        needed = needed.plus(s.grace);
        configs.add(
            new ComponentConfig(
                e.name(), kind, s.startTimeout, s.grace, s.interruptTimeout, restart, stallLimit));
      }
      if (shutdownBudget.compareTo(needed) < 0) {
        throw new IllegalArgumentException(
            "shutdownBudget must be at least drainDelay + the sum of the components' grace"
                + " periods ("
                + Durations.format(needed)
                + "), was "
                + Durations.format(shutdownBudget));
      }
      List<JobQueue<?>> attached = new ArrayList<>();
      try {
        for (ComponentSpec e : specs) {
          if (e instanceof ComponentSpec.QueueSpec q) {
            q.queue().attach(name);
            attached.add(q.queue());
          }
        }
      } catch (RuntimeException e) {
        // a refused build must not leave the queues before the refused one owned by nobody
        for (JobQueue<?> q : attached) {
          q.detach(name);
        }
        throw e;
      }
      return new Supervisor(
          this, new Config(name, shutdownBudget, drainDelay, strategy, shutdownHook, configs));
    }
  }
}
