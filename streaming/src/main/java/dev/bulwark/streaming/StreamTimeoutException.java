package dev.bulwark.streaming;

import dev.bulwark.resilience.internal.Durations;
import java.io.Serial;
import java.time.Duration;

/**
 * A stream's idle or total timeout expired. It is the {@linkplain StreamResult#failure() failure}
 * of a result whose outcome is {@link StreamResult.Outcome#IDLE_TIMEOUT} or {@link
 * StreamResult.Outcome#TOTAL_TIMEOUT}, and what the {@link ChunkSource#idleTimeout} and {@link
 * ChunkSource#totalTimeout} operators throw.
 */
public final class StreamTimeoutException extends RuntimeException {

  @Serial private static final long serialVersionUID = 1L;

  /** Which timeout expired. */
  private final StreamResult.Outcome outcome;

  private final transient Duration timeout;

  /**
   * Creates the exception.
   *
   * @param outcome {@link StreamResult.Outcome#IDLE_TIMEOUT} or {@link
   *     StreamResult.Outcome#TOTAL_TIMEOUT}
   * @param timeout the timeout that expired
   * @throws IllegalArgumentException if {@code outcome} is not a timeout
   */
  public StreamTimeoutException(StreamResult.Outcome outcome, Duration timeout) {
    super(message(outcome, timeout));
    this.outcome = outcome;
    this.timeout = timeout;
  }

  private static String message(StreamResult.Outcome outcome, Duration timeout) {
    return switch (outcome) {
      case IDLE_TIMEOUT ->
          "no item from the source within the idle timeout of " + Durations.format(timeout);
      case TOTAL_TIMEOUT ->
          "the stream did not end within its total timeout of " + Durations.format(timeout);
      default ->
          throw new IllegalArgumentException(
              "outcome must be IDLE_TIMEOUT or TOTAL_TIMEOUT, was " + outcome);
    };
  }

  /**
   * Returns which timeout expired.
   *
   * @return {@link StreamResult.Outcome#IDLE_TIMEOUT} or {@link StreamResult.Outcome#TOTAL_TIMEOUT}
   */
  public StreamResult.Outcome outcome() {
    return outcome;
  }

  /**
   * Returns the timeout that expired.
   *
   * @return the configured timeout
   */
  public Duration timeout() {
    return timeout;
  }
}
