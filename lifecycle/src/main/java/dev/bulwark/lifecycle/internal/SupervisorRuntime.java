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

/**
 * What a {@code Supervisor} does, behind its facade: it drives the ordered start ({@link
 * StartSequence}) and the stop ({@link StopSequence} inside one {@link Budget}), publishes the
 * supervisor's own events, keeps the shutdown hook and computes health. Its state, and the
 * decisions of start, stop and escalation made on it, are a {@link SupervisorState}. The components
 * see it only as a {@link ComponentHost}.
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
  private final SupervisorState state;

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
    this.state = new SupervisorState(name, time);
    this.host = new Host(name, time, threadFactory, listeners, state::beginEscalation, this::stop);
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
    return state.state();
  }

  /**
   * Starts every component in order; on failure stops what started and returns what failed (null if
   * all started). Throws IllegalStateException if the supervisor is not NEW.
   */
  public StartFailure start() {
    state.beginStart();
    publishState(State.NEW, State.STARTING);
    if (shutdownHook) {
      hook.register(name + "-shutdown-hook", this::runStop);
    }
    StartSequence.Result result = StartSequence.run(components, state.startGate());
    StartFailure failure =
        state.endStart(result, components.isEmpty() ? "(none)" : components.getLast().name);
    if (failure == null) {
      publishState(State.STARTING, State.RUNNING);
      if (!listeners.isEmpty()) {
        listeners.publish(new SupervisorEvent.ReadinessChanged(name, true));
      }
      return null;
    }
    if (failure.cause() != null) {
      state.startFailed(failure.cause()); // a failed start ends in FAILED
    }
    stop(); // also removes the shutdown hook, so that the JVM does not keep this supervisor
    if (result.interrupted()) {
      Thread.currentThread().interrupt();
    }
    return failure;
  }

  /** Stops the supervisor and removes its shutdown hook; every call returns the same report. */
  public ShutdownReport stop() {
    ShutdownReport r = runStop();
    hook.remove();
    return r;
  }

  /** Waits at most {@code timeout} for the report of the stop. */
  public Optional<ShutdownReport> awaitTermination(Duration timeout) throws InterruptedException {
    return state.awaitReport(timeout);
  }

  /** Returns the report of a stop that has finished, or empty. */
  public Optional<ShutdownReport> shutdownReport() {
    return state.report();
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
    SupervisorState.View v = state.view();
    boolean live = v.state() != State.FAILED && allHealthy;
    return new SupervisorHealth(
        name, v.state(), live, v.ready() && live && v.state() == State.RUNNING, list);
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
    SupervisorState.StopTurn turn = state.requestStop();
    if (turn.report() != null) {
      return turn.report();
    }
    State from = turn.from();
    if (turn.wasReady() && !listeners.isEmpty()) {
      listeners.publish(new SupervisorEvent.ReadinessChanged(name, false));
    }
    publishState(from, State.STOPPING);
    Budget budget = Budget.of(time, shutdownBudget);
    budget.owe(StopSequence.graces(components));
    if (from == State.RUNNING && !drainDelay.isZero()) {
      state.waitDrain(budget, Durations.saturatedNanos(drainDelay));
    }
    state.awaitStartLoop(budget);
    List<ShutdownReport.ComponentReport> reports = StopSequence.stopAll(components, budget);
    ShutdownReport r =
        new ShutdownReport(
            name, Duration.ofNanos(time.nanoTime() - budget.start()), shutdownBudget, reports);
    State to = state.endStop(r);
    publishState(State.STOPPING, to);
    if (!listeners.isEmpty()) {
      listeners.publish(new SupervisorEvent.Stopped(name, r));
    }
    if (budget.wasInterrupted()) {
      Thread.currentThread().interrupt();
    }
    return r;
  }

  private void publishState(State from, State to) {
    if (from != to && !listeners.isEmpty()) {
      listeners.publish(new SupervisorEvent.StateChanged(name, from, to));
    }
  }
}
