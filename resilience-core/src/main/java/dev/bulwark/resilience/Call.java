package dev.bulwark.resilience;

/**
 * A call that a {@link Policy} protects: it returns a value or throws.
 *
 * <p>The exception type is part of the signature so that a policy passes a call's checked
 * exceptions through unwrapped: {@code policy.call(() -> Files.readString(path))} throws {@code
 * IOException}, as the bare call would.
 *
 * @param <T> the result type
 * @param <X> the checked exception the call may throw ({@link RuntimeException} if none)
 */
@FunctionalInterface
public interface Call<T, X extends Exception> {

  /**
   * Runs the call.
   *
   * @return the result
   * @throws X if the call fails
   */
  T call() throws X;
}
