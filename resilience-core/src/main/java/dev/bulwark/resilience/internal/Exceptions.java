package dev.bulwark.resilience.internal;

/** Rethrowing a call's failure unchanged across threads and generic boundaries. Internal. */
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
}
