package dev.bulwark.resilience.backoff;

import dev.bulwark.resilience.internal.Checks;

/**
 * How a {@link Backoff} spreads its delays so that many clients that failed together do not retry
 * together.
 *
 * <p>With {@code d} the delay of attempt {@code n} after the cap ({@code min(max, base(n))}), and
 * {@code rand(a, b)} uniform in {@code [a, b]} (Marc Brooker, "Exponential Backoff And Jitter"):
 *
 * <ul>
 *   <li>{@link #none()}: {@code d};
 *   <li>{@link #full()}: {@code rand(0, d)} — the best at spreading load;
 *   <li>{@link #equal()}: {@code d/2 + rand(0, d/2)} — never shorter than half;
 *   <li>{@link #decorrelated()}: {@code min(max, rand(initial, 3 · previous))}, starting from
 *       {@code previous = initial}; it ignores the base curve and grows from its own last value, so
 *       it needs a positive initial delay;
 *   <li>{@link #proportional(double) proportional(f)}: {@code d · (1 + rand(-f, f))}, the only kind
 *       resilience4j and Failsafe offer.
 * </ul>
 *
 * <p>The cap is applied before the jitter, so delays stay spread at the cap instead of all becoming
 * equal to it; only proportional jitter can therefore exceed {@code max}, by the factor.
 */
public sealed interface Jitter {

  /** No jitter. */
  record None() implements Jitter {}

  /** Full jitter: uniform in {@code [0, d]}. */
  record Full() implements Jitter {}

  /** Equal jitter: {@code d/2} plus uniform in {@code [0, d/2]}. */
  record Equal() implements Jitter {}

  /** Decorrelated jitter: {@code min(max, rand(initial, 3 · previous))}. */
  record Decorrelated() implements Jitter {}

  /**
   * Proportional jitter: {@code d · (1 + rand(-factor, factor))}.
   *
   * @param factor the spread, in {@code (0, 1]}
   */
  record Proportional(double factor) implements Jitter {
    /**
     * Validates the factor.
     *
     * @throws IllegalArgumentException if {@code factor} is not in {@code (0, 1]}
     */
    public Proportional {
      Checks.inRange(factor, 0, false, 1, true, "jitter factor");
    }
  }

  /**
   * Returns no jitter: every delay is exactly the curve's.
   *
   * @return the jitter
   */
  static Jitter none() {
    return new None();
  }

  /**
   * Returns full jitter, uniform in {@code [0, d]}.
   *
   * @return the jitter
   */
  static Jitter full() {
    return new Full();
  }

  /**
   * Returns equal jitter, {@code d/2 + rand(0, d/2)}.
   *
   * @return the jitter
   */
  static Jitter equal() {
    return new Equal();
  }

  /**
   * Returns decorrelated jitter, {@code min(max, rand(initial, 3 · previous))}.
   *
   * @return the jitter
   */
  static Jitter decorrelated() {
    return new Decorrelated();
  }

  /**
   * Returns proportional jitter, {@code d · (1 + rand(-factor, factor))}.
   *
   * @param factor the spread, in {@code (0, 1]}; 0.5 spreads a 100 ms delay over [50 ms, 150 ms]
   * @return the jitter
   * @throws IllegalArgumentException if {@code factor} is not in {@code (0, 1]}
   */
  static Jitter proportional(double factor) {
    return new Proportional(factor);
  }
}
