package dev.bulwark.lifecycle;

/**
 * The state of one component of a {@link Supervisor}, as {@link Supervisor#health()} reports it.
 */
public enum ComponentState {
  /** Registered, not started yet. */
  NEW,
  /** Its start is in progress. */
  STARTING,
  /** Started; a worker's thread is running. */
  RUNNING,
  /** A worker failed and waits for its restart (or a sibling's, under all-for-one). */
  RESTARTING,
  /** Asked to stop and not yet stopped; an abandoned component stays here. */
  STOPPING,
  /** Stopped, or a worker that finished its work by returning. */
  STOPPED,
  /** Failed to start, failed with no restart left, or its stop threw. */
  FAILED
}
