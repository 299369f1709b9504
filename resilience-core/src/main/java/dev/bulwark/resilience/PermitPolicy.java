package dev.bulwark.resilience;

/**
 * A policy that can also guard work that is not a single call, through a {@link Permit}: the
 * circuit breaker and the bulkheads. The streaming module uses it to guard a whole stream.
 */
public interface PermitPolicy extends Policy {

  /**
   * Takes a permit for one unit of work, or refuses at once.
   *
   * @return the permit; hand it back with {@link Permit#onSuccess()}, {@link
   *     Permit#onFailure(Throwable)} or {@link Permit#close()}
   * @throws RejectedException if the policy refuses the work now
   */
  Permit acquirePermit();
}
