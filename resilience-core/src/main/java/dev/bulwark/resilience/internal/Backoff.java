package dev.bulwark.resilience.internal;

/**
 * The pause a lock-free loop takes after it lost a compare-and-set on a contended word: {@code
 * spins} calls of {@link Thread#onSpinWait}, then the next pause, twice as long, up to 64 calls. A
 * loop starts with {@code spins = 1} and writes {@code spins = Backoff.pause(spins)}.
 *
 * <p>Why pause at all: the thread that won now owns the word's cache line. Reading again at once
 * pulls the line back across while the winner is still using it, and two threads settle into taking
 * turns, each turn moving the line; waiting a little, longer each time, leaves the line with the
 * winner for several operations in a row. Measured on the bulkhead, the rate limiter and the count
 * window (benchmarks/README.md). Every pause is bounded, so a loop that uses it stays lock-free.
 *
 * <p>Internal to Bulwark's modules; not an API for applications.
 */
public final class Backoff {

  /** The longest pause, in {@link Thread#onSpinWait} calls. */
  private static final int MAX_SPINS = 64;

  private Backoff() {}

  /**
   * Pauses for {@code spins} calls of {@link Thread#onSpinWait}.
   *
   * @param spins the length of this pause, 1 for the first
   * @return the length of the next pause
   */
  public static int pause(int spins) {
    for (int i = 0; i < spins; i++) {
      Thread.onSpinWait();
    }
    return Math.min(spins << 1, MAX_SPINS);
  }
}
