package dev.bulwark.resilience;

/**
 * A listener's registration; {@link #close()} removes the listener again. Closing twice is
 * harmless.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

  /** Removes the listener. Events published afterwards no longer reach it. */
  @Override
  void close();
}
