package dev.bulwark.resilience;

/**
 * A resilience policy: something that runs a call on the caller's behalf and decides whether to run
 * it at all, how often, for how long and with what limits.
 *
 * <p>Every Bulwark policy implements this one interface, and {@link Pipeline#of(Policy...)}
 * composes them, outermost first. A policy passes the call's own exceptions through unwrapped,
 * checked ones included; it adds only its own refusals (subclasses of {@link RejectedException})
 * and, for a timeout, the timeout's exception.
 *
 * <p>Policies are immutable in configuration and safe to share between threads; one instance
 * normally guards one dependency for the life of the application.
 */
public interface Policy {

  /**
   * Returns the name this policy was built with; refusals, events and metrics carry it.
   *
   * @return the policy's name
   */
  String name();

  /**
   * Runs {@code call} under this policy.
   *
   * @param call the call to protect
   * @param <T> the call's result type
   * @param <X> the call's checked exception type
   * @return the call's result
   * @throws X the call's own failure, unwrapped
   * @throws RejectedException if this policy refused to run the call
   * @throws NullPointerException if {@code call} is null
   */
  <T, X extends Exception> T call(Call<T, X> call) throws X;

  /**
   * Runs {@code action} under this policy.
   *
   * @param action the action to protect
   * @param <X> the action's checked exception type
   * @throws X the action's own failure, unwrapped
   * @throws RejectedException if this policy refused to run the action
   * @throws NullPointerException if {@code action} is null
   */
  default <X extends Exception> void run(Action<X> action) throws X {
    call(
        () -> {
          action.run();
          return null;
        });
  }
}
