package dev.bulwark.lifecycle;

import dev.bulwark.resilience.internal.Checks;
import java.time.Duration;
import java.util.Optional;

/**
 * The health of one component of a {@link Supervisor}, read at one moment.
 *
 * @param name the component's name
 * @param state its state
 * @param healthy false if it failed, or if it is a running worker whose last heartbeat is older
 *     than its stall limit (a periodic task waiting for its next tick is not stalled)
 * @param sinceHeartbeat for a worker, the time since its last heartbeat (or since its start if it
 *     has not sent one); empty for other components and workers not running
 * @param restarts how many times it has been restarted
 * @param lastFailure its last failure, if any
 */
public record ComponentHealth(
    String name,
    ComponentState state,
    boolean healthy,
    Optional<Duration> sinceHeartbeat,
    int restarts,
    Optional<Throwable> lastFailure) {

  /**
   * Checks the fields.
   *
   * @throws NullPointerException if a field is null
   */
  public ComponentHealth {
    Checks.notNull(name, "name");
    Checks.notNull(state, "state");
    Checks.notNull(sinceHeartbeat, "sinceHeartbeat");
    Checks.notNull(lastFailure, "lastFailure");
  }
}
