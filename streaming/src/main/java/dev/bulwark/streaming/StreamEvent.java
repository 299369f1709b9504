package dev.bulwark.streaming;

import dev.bulwark.resilience.RejectedException;
import java.time.Duration;

/**
 * What a {@link StreamWriter} tells its listeners: a stream started, a stream ended. Each event
 * carries the writer's {@link #name()}.
 */
public sealed interface StreamEvent {

  /**
   * Returns the name of the writer that published the event.
   *
   * @return the writer's name
   */
  String name();

  /**
   * A stream started: the guard (if any) let it through and writing begins.
   *
   * @param name the writer's name
   */
  record Started(String name) implements StreamEvent {}

  /**
   * A stream ended.
   *
   * @param name the writer's name
   * @param result how it ended
   */
  record Ended(String name, StreamResult result) implements StreamEvent {
    /**
     * Returns how long the stream took.
     *
     * @return the result's elapsed time
     */
    public Duration elapsed() {
      return result.elapsed();
    }
  }

  /**
   * The guard refused the stream; nothing was written and the source was closed.
   *
   * @param name the writer's name
   * @param refusal the guard's refusal
   */
  record Rejected(String name, RejectedException refusal) implements StreamEvent {}
}
