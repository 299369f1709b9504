package dev.bulwark.resilience.lincheck;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * The bounds every Lincheck check in Bulwark runs with, so that together they stay within the
 * suite's time budget on two cores. {@code -Dbulwark.lincheck.scale=N} multiplies the scenarios
 * each check tries, for a longer run.
 */
public final class Lincheck {

  /** How many times more scenarios than the default to try. */
  public static final int SCALE = Integer.getInteger("bulwark.lincheck.scale", 1);

  private Lincheck() {}

  /**
   * Model checking: each scenario is run under many interleavings chosen systematically at the
   * shared-memory accesses.
   *
   * @return options of two threads of three operations, after two set-up operations
   */
  public static ModelCheckingOptions modelChecking() {
    return new ModelCheckingOptions()
        .iterations(6 * SCALE)
        .invocationsPerIteration(100)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(1);
  }

  /**
   * Stress: each scenario is run many times on real threads.
   *
   * @return options of three threads of three operations, after two set-up operations
   */
  public static StressOptions stress() {
    return new StressOptions()
        .iterations(6 * SCALE)
        .invocationsPerIteration(200)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(1);
  }
}
