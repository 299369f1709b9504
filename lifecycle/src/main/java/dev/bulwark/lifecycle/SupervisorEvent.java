package dev.bulwark.lifecycle;

import java.time.Duration;

/**
 * What a {@link Supervisor} publishes: every change of its own state, of its readiness and of each
 * component's state, each scheduled restart, an escalation, and the final shutdown report. {@link
 * #name()} is the supervisor's name; component events also carry the component's.
 */
public sealed interface SupervisorEvent {

  /**
   * Returns the name of the supervisor that published the event.
   *
   * @return the supervisor's name
   */
  String name();

  /**
   * The supervisor moved from one state to another.
   *
   * @param name the supervisor's name
   * @param from the previous state
   * @param to the new state
   */
  record StateChanged(String name, Supervisor.State from, Supervisor.State to)
      implements SupervisorEvent {}

  /**
   * The supervisor's readiness changed: true once every component started, false as the first step
   * of a stop.
   *
   * @param name the supervisor's name
   * @param ready the new readiness
   */
  record ReadinessChanged(String name, boolean ready) implements SupervisorEvent {}

  /**
   * A component moved from one state to another.
   *
   * @param name the supervisor's name
   * @param component the component's name
   * @param from the previous state
   * @param to the new state
   * @param failure the failure that caused the change, or null
   */
  record ComponentStateChanged(
      String name, String component, ComponentState from, ComponentState to, Throwable failure)
      implements SupervisorEvent {}

  /**
   * A failed worker will be restarted after {@code delay}.
   *
   * @param name the supervisor's name
   * @param component the worker's name
   * @param restart the number of this restart, from 1
   * @param delay the backoff delay before it
   * @param cause the failure
   */
  record RestartScheduled(
      String name, String component, int restart, Duration delay, Throwable cause)
      implements SupervisorEvent {}

  /**
   * An iteration of a {@link PeriodicTask} failed and the task goes on ({@link
   * PeriodicTask.OnError#LOG_AND_CONTINUE}): published once per failed iteration, so it can be
   * counted; the failure is also the component's {@link ComponentHealth#lastFailure()}.
   *
   * @param name the supervisor's name
   * @param component the task's component name
   * @param failure what the iteration threw
   */
  record IterationFailed(String name, String component, Throwable failure)
      implements SupervisorEvent {}

  /**
   * A worker exceeded its restart intensity (or its siblings could not be stopped for an
   * all-for-one restart): the supervisor fails and stops everything.
   *
   * @param name the supervisor's name
   * @param component the worker's name
   * @param cause its last failure
   */
  record Escalated(String name, String component, Throwable cause) implements SupervisorEvent {}

  /**
   * The supervisor finished stopping.
   *
   * @param name the supervisor's name
   * @param report what the stop did
   */
  record Stopped(String name, ShutdownReport report) implements SupervisorEvent {}
}
