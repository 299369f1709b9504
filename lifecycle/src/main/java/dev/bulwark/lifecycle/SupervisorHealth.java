package dev.bulwark.lifecycle;

import dev.bulwark.resilience.internal.Checks;
import java.util.List;
import java.util.Optional;

/**
 * The health of a {@link Supervisor} and its components, read at one moment: what a {@code /health}
 * endpoint or a Kubernetes probe reports.
 *
 * @param name the supervisor's name
 * @param state the supervisor's state
 * @param live false once the supervisor has failed, a component has failed or a worker has stalled:
 *     the process should be restarted
 * @param ready true while the supervisor is running, live, and not stopping: it may take traffic
 * @param components one entry per component, in declared order
 */
public record SupervisorHealth(
    String name,
    Supervisor.State state,
    boolean live,
    boolean ready,
    List<ComponentHealth> components) {

  /**
   * Checks and copies the fields.
   *
   * @throws NullPointerException if a field is null
   */
  public SupervisorHealth {
    Checks.notNull(name, "name");
    Checks.notNull(state, "state");
    components = List.copyOf(components);
  }

  /**
   * Returns the health of the named component.
   *
   * @param component the component's name
   * @return its health, or empty if there is no such component
   */
  public Optional<ComponentHealth> component(String component) {
    return components.stream().filter(c -> c.name().equals(component)).findFirst();
  }
}
