package dev.bulwark.resilience;

import java.util.function.Consumer;

/**
 * Something that publishes typed events: every policy, stream and worker in Bulwark.
 *
 * <p>Listeners run on the thread that caused the event, after any lock of the publisher has been
 * released, so they should be quick. A listener that throws is logged (through {@link
 * System.Logger}) and neither breaks the call nor stops other listeners.
 *
 * @param <E> the type of the events, a sealed interface of records
 */
public interface EventSource<E> {

  /**
   * Adds a listener for every event published from now on.
   *
   * @param listener the listener
   * @return a subscription whose {@link Subscription#close()} removes the listener
   * @throws NullPointerException if {@code listener} is null
   */
  Subscription subscribe(Consumer<? super E> listener);
}
