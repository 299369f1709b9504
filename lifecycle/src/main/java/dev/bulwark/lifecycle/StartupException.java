package dev.bulwark.lifecycle;

import dev.bulwark.resilience.internal.Checks;
import java.io.Serial;

/**
 * {@link Supervisor#start()} failed: a component failed to start, did not start within its start
 * timeout, or the supervisor was stopped (or escalated) while it was starting. By the time it is
 * thrown the components that had started have been stopped again, in reverse order.
 */
public final class StartupException extends Exception {

  @Serial private static final long serialVersionUID = 1L;

  /** The name of the supervisor that failed to start. */
  private final String supervisor;

  /** The name of the component whose start failed. */
  private final String component;

  StartupException(String supervisor, String component, String reason, Throwable cause) {
    super(
        "supervisor '"
            + supervisor
            + "' could not start component '"
            + component
            + "': "
            + reason
            + "; the components started before it were stopped in reverse order",
        cause);
    this.supervisor = Checks.notNull(supervisor, "supervisor");
    this.component = Checks.notNull(component, "component");
  }

  /**
   * Returns the name of the supervisor that failed to start.
   *
   * @return the supervisor's name
   */
  public String supervisor() {
    return supervisor;
  }

  /**
   * Returns the name of the component whose start failed (or that was next when a stop came).
   *
   * @return the component's name
   */
  public String component() {
    return component;
  }
}
