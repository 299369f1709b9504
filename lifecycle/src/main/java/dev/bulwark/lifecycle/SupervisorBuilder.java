package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.Supervisor.ComponentConfig;
import dev.bulwark.lifecycle.Supervisor.Config;
import dev.bulwark.lifecycle.Supervisor.Strategy;
import dev.bulwark.lifecycle.internal.JobQueueComponent;
import dev.bulwark.lifecycle.internal.ResourceComponent;
import dev.bulwark.lifecycle.internal.Restarts;
import dev.bulwark.lifecycle.internal.SupervisorRuntime;
import dev.bulwark.lifecycle.internal.WorkerComponent;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/** Builds a {@link Supervisor}; every setting is validated by {@link #build()}. */
public final class SupervisorBuilder {
  private final String name;
  private final List<ComponentSpec> specs = new ArrayList<>();
  private Duration shutdownBudget = Supervisor.DEFAULT_SHUTDOWN_BUDGET;
  private Duration drainDelay = Duration.ZERO;
  private Strategy strategy = Strategy.ONE_FOR_ONE;
  private boolean shutdownHook;
  private ThreadFactory threadFactory;
  private TimeSource time = TimeSource.system();

  private boolean threadFactorySet;

  SupervisorBuilder(String name) {
    this.name = name;
  }

  /**
   * Adds a worker with default settings.
   *
   * @param name the component's name
   * @param worker the worker
   * @return this builder
   */
  public SupervisorBuilder worker(String name, Worker worker) {
    return worker(name, worker, s -> {});
  }

  /**
   * Adds a worker.
   *
   * <p>A component's settings are given in a lambda rather than a builder of their own: they belong
   * to this registration, and are validated with the rest by {@link #build()} (which names the
   * component in its message: {@code grace of component 'relay' must not be negative}); they read
   * back through {@link Supervisor#config()}.
   *
   * @param name the component's name
   * @param worker the worker
   * @param settings sets the worker's start timeout, grace, interrupt timeout, restart policy and
   *     stall limit
   * @return this builder
   */
  public SupervisorBuilder worker(String name, Worker worker, Consumer<WorkerSettings> settings) {
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
  public SupervisorBuilder resource(String name, ManagedResource resource) {
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
  public SupervisorBuilder resource(
      String name, ManagedResource resource, Consumer<ComponentSettings> settings) {
    specs.add(new ComponentSpec.ResourceSpec(name, resource, settings));
    return this;
  }

  /**
   * Adds a job queue, under its own name, with default settings. The supervisor starts its runners
   * and, on stop, drains it within its grace and hands back its unfinished jobs in the report.
   *
   * @param queue the job queue; it must not be started by anyone else
   * @return this builder
   */
  public SupervisorBuilder jobQueue(JobQueue<?> queue) {
    return jobQueue(queue, s -> {});
  }

  /**
   * Adds a job queue, under its own name.
   *
   * @param queue the job queue; it must not be started by anyone else
   * @param settings sets the start timeout, grace (the drain time) and interrupt timeout
   * @return this builder
   */
  public SupervisorBuilder jobQueue(JobQueue<?> queue, Consumer<ComponentSettings> settings) {
    specs.add(new ComponentSpec.QueueSpec(queue == null ? null : queue.name(), queue, settings));
    return this;
  }

  /**
   * Sets the total time a stop may take, drain delay and every component's grace included (default
   * 25 s). Must be at least the drain delay plus the sum of the grace periods: each component is
   * guaranteed its whole grace. Interrupt timeouts are not guaranteed: a component's wait after the
   * interrupt is cut short so as to leave the later components their graces.
   *
   * @param shutdownBudget the budget
   * @return this builder
   */
  public SupervisorBuilder shutdownBudget(Duration shutdownBudget) {
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
  public SupervisorBuilder drainDelay(Duration drainDelay) {
    this.drainDelay = drainDelay;
    return this;
  }

  /**
   * Sets how a worker's restart affects the other workers (default {@link Strategy#ONE_FOR_ONE}).
   *
   * @param strategy the strategy
   * @return this builder
   */
  public SupervisorBuilder strategy(Strategy strategy) {
    this.strategy = strategy;
    return this;
  }

  /**
   * Registers, on {@link Supervisor#start()}, a JVM shutdown hook that calls {@link
   * Supervisor#stop()} (default false). The hook never calls {@code System.exit}; an explicit stop
   * removes it.
   *
   * @param shutdownHook whether to register the hook
   * @return this builder
   */
  public SupervisorBuilder shutdownHook(boolean shutdownHook) {
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
  public SupervisorBuilder threadFactory(ThreadFactory threadFactory) {
    this.threadFactory = threadFactory;
    this.threadFactorySet = true;
    return this;
  }

  /**
   * Sets the time source for timeouts, grace periods, backoff delays and heartbeats (default {@link
   * TimeSource#system()}).
   *
   * @param timeSource the time source
   * @return this builder
   */
  public SupervisorBuilder timeSource(TimeSource timeSource) {
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
   * @throws IllegalArgumentException if a duration is negative (or not positive where it must be),
   *     two components share a name, a job queue is already supervised, or the budget is less than
   *     the drain delay plus the sum of the grace periods
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
    SequencedMap<String, ComponentConfig> configs = new LinkedHashMap<>();
    List<SupervisorRuntime.ComponentMaker> makers = new ArrayList<>(specs.size());
    List<JobQueue<?>> queues = new ArrayList<>();
    Duration needed = drainDelay;
    // The one place where the kind of a component decides its settings and what it becomes.
    for (ComponentSpec spec : specs) {
      String what = " of component '" + spec.name() + "'";
      ComponentConfig cc;
      switch (spec) {
        case ComponentSpec.WorkerSpec w -> {
          checkTarget(w.name(), w.worker());
          WorkerSettings s = settle(w.settings(), new WorkerSettings(), what);
          checkCommon(configs, w.name(), s, what);
          RestartPolicy restart =
              s.restartSet ? Checks.notNull(s.restart, "restart" + what) : RestartPolicy.never();
          Optional<Duration> stallLimit =
              s.stallLimitSet
                  ? Optional.of(Checks.positive(s.stallLimit, "stallLimit" + what))
                  : Optional.empty();
          cc = config(ComponentConfig.Kind.WORKER, s, restart, stallLimit);
          Restarts plan = restarts(restart);
          makers.add(
              (host, siblings) ->
                  new WorkerComponent(w.name(), cc, host, w.worker(), plan, siblings));
        }
        case ComponentSpec.ResourceSpec r -> {
          checkTarget(r.name(), r.resource());
          ComponentSettings s = settle(r.settings(), new ComponentSettings(), what);
          checkCommon(configs, r.name(), s, what);
          cc = config(ComponentConfig.Kind.RESOURCE, s, RestartPolicy.never(), Optional.empty());
          makers.add((host, siblings) -> new ResourceComponent(r.name(), cc, host, r.resource()));
        }
        case ComponentSpec.QueueSpec q -> {
          Checks.notNull(q.queue(), "queue");
          ComponentSettings s = settle(q.settings(), new ComponentSettings(), what);
          checkCommon(configs, q.name(), s, what);
          cc = config(ComponentConfig.Kind.JOB_QUEUE, s, RestartPolicy.never(), Optional.empty());
          makers.add(
              (host, siblings) -> new JobQueueComponent(q.name(), cc, host, q.queue().runners()));
          queues.add(q.queue());
        }
      }
      configs.put(spec.name(), cc);
      needed = needed.plus(cc.grace());
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
      for (JobQueue<?> q : queues) {
        q.runners().attach(name);
        attached.add(q);
      }
    } catch (RuntimeException e) {
      // a refused build must not leave the queues before the refused one owned by nobody
      for (JobQueue<?> q : attached) {
        q.runners().detach(name);
      }
      throw e;
    }
    return new Supervisor(
        name,
        new Config(shutdownBudget, drainDelay, strategy, shutdownHook, configs),
        new SupervisorRuntime(
            name,
            time,
            threadFactory,
            shutdownBudget,
            drainDelay,
            strategy == Strategy.ALL_FOR_ONE,
            shutdownHook,
            makers));
  }

  /** Gives the user's lambda its settings to fill in. */
  private static <S extends ComponentSettings> S settle(
      Consumer<? super S> settings, S s, String what) {
    Checks.notNull(settings, "settings" + what);
    settings.accept(s);
    return s;
  }

  /** Checks what every component has: a name of its own and its three durations. */
  private static void checkCommon(
      Map<String, ComponentConfig> configs, String name, ComponentSettings s, String what) {
    Checks.require(
        !configs.containsKey(name),
        "component names must be unique, but '" + name + "' is used twice");
    Checks.positive(s.startTimeout, "startTimeout" + what);
    Checks.nonNegative(s.grace, "grace" + what);
    Checks.nonNegative(s.interruptTimeout, "interruptTimeout" + what);
  }

  private static ComponentConfig config(
      ComponentConfig.Kind kind,
      ComponentSettings s,
      RestartPolicy restart,
      Optional<Duration> stallLimit) {
    return new ComponentConfig(
        kind, s.startTimeout, s.grace, s.interruptTimeout, restart, stallLimit);
  }

  /** A worker's restart bookkeeping, or null for a policy that never restarts. */
  private static Restarts restarts(RestartPolicy policy) {
    if (!(policy instanceof RestartPolicy.OnFailure p)) {
      return null;
    }
    return new Restarts(
        p.maxRestarts(),
        Durations.saturatedNanos(p.window()),
        () -> {
          Backoff.Sequence delays = p.backoff().sequence();
          return delays::nextNanos;
        });
  }
}
