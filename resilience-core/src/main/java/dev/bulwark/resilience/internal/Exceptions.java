package dev.bulwark.resilience.internal;

/**
 * Rethrowing a call's failure unchanged across threads and generic boundaries, and the one form of
 * an interrupted wait. Internal.
 */
public final class Exceptions {

  private Exceptions() {}

  /**
   * Throws {@code failure} as it is, checked or not. A policy uses it to rethrow a call's own
   * exception that it caught as {@code Throwable}; the compiler then sees the declared {@code X}.
   *
   * @return never; declared so callers can write {@code throw Exceptions.rethrow(e)}
   */
  @SuppressWarnings("unchecked")
  public static <X extends Throwable> RuntimeException rethrow(Throwable failure) throws X {
    throw (X) failure;
  }

  /**
   * Returns what a policy throws when the thread is interrupted while it waits for a permit or a
   * result: a {@link java.util.concurrent.CancellationException} with the {@link
   * InterruptedException} as its cause, having set the thread's interrupt status again. An
   * interrupted wait is not a refusal (nobody said no; the caller gave up), so every policy that
   * waits throws this one type, unchecked, from {@code call}.
   *
   * @param message what stopped waiting, e.g. {@code "bulkhead 'db' stopped waiting for a permit:
   *     the thread was interrupted"}
   * @param cause the interrupt
   * @return the exception to throw
   */
  public static java.util.concurrent.CancellationException interrupted(
      String message, InterruptedException cause) {
    Thread.currentThread().interrupt();
    java.util.concurrent.CancellationException cancelled =
        new java.util.concurrent.CancellationException(message);
    cancelled.initCause(cause);
    return cancelled;
  }

  /**
   * Returns what a policy classifies when {@code failure} is thrown: the failure itself, or, for a
   * {@link java.util.concurrent.CompletionException} or {@link
   * java.util.concurrent.ExecutionException} with a cause, that cause (unwrapped again while it is
   * one of the two). These wrappers only say "the work ran elsewhere"; whether it counts as a
   * failure, is ignored or is retried depends on what the work threw, as in resilience4j. The
   * policy still rethrows {@code failure} itself, unchanged.
   *
   * @param failure what the call threw
   * @return the exception to classify
   */
  public static Throwable classified(Throwable failure) {
    Throwable t = failure;
    // bounded, so that a cycle of causes (possible with initCause) cannot loop forever
    for (int depth = 0; depth < 16; depth++) {
      if (!(t instanceof java.util.concurrent.CompletionException
              || t instanceof java.util.concurrent.ExecutionException)
          || t.getCause() == null) {
        return t;
      }
      t = t.getCause();
    }
    return t;
  }
}
