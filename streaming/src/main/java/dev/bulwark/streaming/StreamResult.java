package dev.bulwark.streaming;

import dev.bulwark.resilience.internal.Checks;
import java.time.Duration;
import java.util.Optional;

/**
 * How a stream ended, returned by every {@link StreamWriter} method.
 *
 * @param outcome why the stream ended
 * @param items how many items were written whole
 * @param bytes how many bytes were written, heartbeats included
 * @param heartbeats how many heartbeats were written
 * @param elapsed how long the stream took, from the start of writing to the end
 * @param failure the exception behind the outcome, if any: the source's failure, the write that
 *     failed, the timeout
 */
public record StreamResult(
    Outcome outcome,
    long items,
    long bytes,
    long heartbeats,
    Duration elapsed,
    Optional<Throwable> failure) {

  /** Why a stream ended. */
  public enum Outcome {
    /** The source ended and everything was written. */
    COMPLETED,
    /**
     * The client went away: a write or flush failed, a write made no progress for the write-stall
     * timeout, or a publisher's subscriber requested nothing for that long.
     */
    CLIENT_GONE,
    /** No item came from the source for the idle timeout. */
    IDLE_TIMEOUT,
    /** The whole stream took longer than the total timeout. */
    TOTAL_TIMEOUT,
    /** The writing thread was interrupted, or the publisher's subscriber cancelled. */
    CANCELLED,
    /** The source failed, or an item could not be encoded; the failure says why. */
    SOURCE_FAILED
  }

  /**
   * Creates a result.
   *
   * @throws NullPointerException if {@code outcome}, {@code elapsed} or {@code failure} is null
   * @throws IllegalArgumentException if a count is negative
   */
  public StreamResult {
    Checks.notNull(outcome, "outcome");
    Checks.notNull(elapsed, "elapsed");
    Checks.notNull(failure, "failure");
    Checks.atLeast(items, 0L, "items");
    Checks.atLeast(bytes, 0L, "bytes");
    Checks.atLeast(heartbeats, 0L, "heartbeats");
  }

  /**
   * Returns true if the stream completed.
   *
   * @return whether the outcome is {@link Outcome#COMPLETED}
   */
  public boolean completed() {
    return outcome == Outcome.COMPLETED;
  }
}
