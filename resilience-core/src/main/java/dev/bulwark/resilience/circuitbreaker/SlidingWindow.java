package dev.bulwark.resilience.circuitbreaker;

import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;

/**
 * Which recent calls a {@link CircuitBreaker} judges while it is CLOSED: the last n calls, or the
 * calls of the last n seconds. The same two windows as resilience4j's {@code COUNT_BASED} and
 * {@code TIME_BASED}.
 *
 * <pre>{@code
 * CircuitBreaker.builder("payments").slidingWindow(SlidingWindow.count(50))...
 * CircuitBreaker.builder("payments").slidingWindow(SlidingWindow.time(Duration.ofSeconds(30)))...
 * }</pre>
 */
public sealed interface SlidingWindow {

  /** The largest count window, and the most seconds of a time window. */
  int MAX_SIZE = CountWindow.MAX_SIZE;

  /**
   * A window of the last {@code size} calls.
   *
   * @param size how many calls, 1 to {@value #MAX_SIZE}
   * @return the window
   * @throws IllegalArgumentException if {@code size} is out of range
   */
  static SlidingWindow count(int size) {
    return new Count(size);
  }

  /**
   * A window of the calls of the last {@code length}, cut into one-second buckets: a call counts
   * until {@code length} whole seconds of the time source have begun after the second it was
   * recorded in.
   *
   * @param length whole seconds, at least one
   * @return the window
   * @throws IllegalArgumentException if {@code length} is shorter than a second, not whole seconds,
   *     or more than {@value #MAX_SIZE} seconds
   * @throws NullPointerException if {@code length} is null
   */
  static SlidingWindow time(Duration length) {
    return new Time(length);
  }

  /**
   * A window of the last {@code size} calls.
   *
   * @param size how many calls
   */
  record Count(int size) implements SlidingWindow {
    /**
     * Validates the size.
     *
     * @throws IllegalArgumentException if {@code size} is below 1 or above {@value #MAX_SIZE}
     */
    public Count {
      Checks.atLeast(size, 1, "slidingWindow size");
      Checks.require(
          size <= MAX_SIZE, "slidingWindow size must be at most " + MAX_SIZE + ", was " + size);
    }
  }

  /**
   * A window of the calls of the last {@code length}, in one-second buckets.
   *
   * @param length whole seconds
   */
  record Time(Duration length) implements SlidingWindow {
    /**
     * Validates the length.
     *
     * @throws IllegalArgumentException if {@code length} is below a second, not whole seconds, or
     *     more than {@value #MAX_SIZE} seconds
     * @throws NullPointerException if {@code length} is null
     */
    public Time {
      Checks.notNull(length, "slidingWindow length");
      Checks.require(
          length.compareTo(Duration.ofSeconds(1)) >= 0,
          "slidingWindow length must be at least 1s, was " + Durations.format(length));
      Checks.require(
          length.getNano() == 0,
          "slidingWindow length must be whole seconds, was " + Durations.format(length));
      Checks.require(
          length.getSeconds() <= MAX_SIZE,
          "slidingWindow length must be at most "
              + MAX_SIZE
              + "s, was "
              + Durations.format(length));
    }

    /**
     * Returns the length in seconds, the number of buckets.
     *
     * @return the whole seconds of {@link #length()}
     */
    public int seconds() {
      return (int) length.getSeconds();
    }
  }
}
