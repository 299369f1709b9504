package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.ComponentHealth;
import dev.bulwark.lifecycle.ShutdownReport;
import dev.bulwark.lifecycle.Supervisor.State;
import dev.bulwark.lifecycle.SupervisorEvent;
import dev.bulwark.lifecycle.SupervisorHealth;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Listeners;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a {@code Supervisor} does, behind its facade: its state, the ordered start ({@link
 * StartSequence}), the stop ({@link StopSequence} inside one {@link Budget}), escalation and the
 * shutdown hook. The components see it only as a {@link ComponentHost}.
 */
public final class SupervisorRuntime {

  /** Makes one component, given the host it sees and the all-for-one strategy (or null). */
  @FunctionalInterface
  public interface ComponentMaker {
    /** Makes the component. */
    Component make(ComponentHost host, ComponentHost.Siblings siblings);
  }

  /** How a start failed: the component, why, and the failure (null after a stop). */
  public record StartFailure(String component, String reason, Throwable cause) {}

  private final String name;
  private final TimeSource time;
  private final Duration shutdownBudget;
  private final Duration drainDelay;
  private final boolean shutdownHook;
  private final List<Component> components;
  private final Host host;
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

  /**
   * Creates the runtime of a supervisor and its components (in start order); a null thread factory
   * means named virtual threads.
   */
  public SupervisorRuntime(
      String name,
      TimeSource time,
      ThreadFactory threadFactory,
      Duration shutdownBudget,
      Duration drainDelay,
      boolean allForOne,
      boolean shutdownHook,
      List<ComponentMaker> makers) {
    this.name = name;
    this.time = time;
    this.shutdownBudget = shutdownBudget;
    this.drainDelay = drainDelay;
    this.shutdownHook = shutdownHook;
    this.listeners = new Listeners<>("supervisor '" + name + "'");
    this.host = new Host(name, time, threadFactory, listeners, this::beginEscalation, this::stop);
    List<WorkerComponent> workers = new ArrayList<>();
    ComponentHost.Siblings siblings = allForOne ? new AllForOne(time, workers) : null;
    List<Component> list = new ArrayList<>();
    for (ComponentMaker m : makers) {
      Component c = m.make(host, siblings);
      if (c instanceof WorkerComponent w) {
        workers.add(w); // the strategy's list; complete before any component starts
      }
      list.add(c);
    }
    this.components = List.copyOf(list);
  }

  /** Returns the listeners of the supervisor's events. */
  public Listeners<SupervisorEvent> listeners() {
    return listeners;
  }

  /** Returns the supervisor's state now. */
  public State state() {
    lock.lock();
    try {
      return state;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts every component in order; on failure stops what started and returns what failed (null if
   * all started). Throws IllegalStateException if the supervisor is not NEW.
   */
  public StartFailure start() {
    lock.lock();
    try {
      if (state != State.NEW) {
        throw new IllegalStateException(
            "Expected supervisor '" + name + "' to be NEW, but was " + state);
      }
      state = State.STARTING;
      startLoopActive = true;
    } finally {
      lock.unlock();
    }
    publishState(State.NEW, State.STARTING);
    if (shutdownHook) {
      hook.register(name + "-shutdown-hook", this::runStop);
    }
    StartSequence.Result result = StartSequence.run(components, new StartGate());
    String failed = result.failed();
    String reason = result.reason();
    Throwable cause = result.cause();
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
        listeners.publish(new SupervisorEvent.ReadinessChanged(name, true));
      }
      return null;
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
    if (result.interrupted()) {
      Thread.currentThread().interrupt();
    }
    return new StartFailure(failed, reason, cause);
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

  /** Stops the supervisor and removes its shutdown hook; every call returns the same report. */
  public ShutdownReport stop() {
    ShutdownReport r = runStop();
    hook.remove();
    return r;
  }

  /** Waits at most {@code timeout} for the report of the stop. */
  public Optional<ShutdownReport> awaitTermination(Duration timeout) throws InterruptedException {
    long n = Durations.saturatedNanos(timeout);
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

  /** Returns the report of a stop that has finished, or empty. */
  public Optional<ShutdownReport> shutdownReport() {
    lock.lock();
    try {
      return Optional.ofNullable(report);
    } finally {
      lock.unlock();
    }
  }

  /** Returns the health of the supervisor and each component, computed now. */
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
    return new SupervisorHealth(name, s, live, r && live && s == State.RUNNING, list);
  }

  /** Returns the number of components. */
  public int size() {
    return components.size();
  }

  /** Returns the registered shutdown hook, or null; for tests. */
  public Thread shutdownHookThread() {
    return hook.thread();
  }

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
      listeners.publish(new SupervisorEvent.ReadinessChanged(name, false));
    }
    publishState(from, State.STOPPING);
    Budget budget = Budget.of(time, shutdownBudget);
    budget.owe(StopSequence.graces(components));
    if (from == State.RUNNING && !drainDelay.isZero()) {
      waitDrain(budget, Durations.saturatedNanos(drainDelay));
    }
    awaitStartLoop(budget);
    List<ShutdownReport.ComponentReport> reports = StopSequence.stopAll(components, budget);
    ShutdownReport r =
        new ShutdownReport(
            name, Duration.ofNanos(time.nanoTime() - budget.start()), shutdownBudget, reports);
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
      listeners.publish(new SupervisorEvent.Stopped(name, r));
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

  /**
   * A worker went beyond its restart intensity: the supervisor fails. Returns false if a stop had
   * come first; otherwise the host publishes the escalation and stops everything.
   */
  private boolean beginEscalation(String component, Throwable cause) {
    lock.lock();
    try {
      if (stopRequested) {
        return false;
      }
      stopRequested = true;
      escalationCause = cause;
      escalatedComponent = component;
      if (starting != null) {
        starting.cancelStart();
      }
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void publishState(State from, State to) {
    if (from != to && !listeners.isEmpty()) {
      listeners.publish(new SupervisorEvent.StateChanged(name, from, to));
    }
  }
}
