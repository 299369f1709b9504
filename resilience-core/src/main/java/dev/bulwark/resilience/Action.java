package dev.bulwark.resilience;

/**
 * A call with no result, for {@link Policy#run(Action)}.
 *
 * @param <X> the checked exception the action may throw ({@link RuntimeException} if none)
 */
@FunctionalInterface
public interface Action<X extends Exception> {

  /**
   * Runs the action.
   *
   * @throws X if the action fails
   */
  void run() throws X;
}
