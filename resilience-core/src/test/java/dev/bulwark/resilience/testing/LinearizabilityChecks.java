package dev.bulwark.resilience.testing;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * Runs a Lincheck linearizability check of a concurrent structure against a plain sequential model,
 * in either of Lincheck's modes, with bounded iterations and a preemptive timeout. Lincheck
 * generates small scenarios of the test class's {@code @Operation}s on a few threads; model
 * checking explores their interleavings (switching threads at every shared read and write), stress
 * runs them on real threads; every outcome must match some serial order of the model.
 *
 * <p>{@code -Dbulwark.stress.scale=N} runs N times as many scenarios (and allows N times as long).
 */
public final class LinearizabilityChecks {

  /** The scale factor of every check, as the other stress tests scale. */
  public static final int SCALE = Integer.getInteger("bulwark.stress.scale", 1);

  // A guard against a hang, not a speed claim: a loaded 2-core machine ran one check for 5 minutes.
  private static final Duration BOUND = Duration.ofMinutes(10);

  private LinearizabilityChecks() {}

  /**
   * The size of one check: how many scenarios, how many runs of each, on how many threads.
   *
   * @param iterations scenarios to generate (multiplied by the scale)
   * @param invocations runs (interleavings, in model checking) of each scenario
   * @param threads parallel threads of a scenario
   * @param actorsPerThread operations per thread
   */
  public record Size(int iterations, int invocations, int threads, int actorsPerThread) {}

  /**
   * Explores interleavings of {@code test}'s operations with Lincheck's model checker.
   *
   * @param test the class with the {@code @Operation}s (public, with a public no-arg constructor)
   * @param model the sequential model: the same operations, plain and single-threaded
   * @param size how much to explore
   */
  public static void modelCheck(Class<?> test, Class<?> model, Size size) {
    assertTimeoutPreemptively(
        BOUND.multipliedBy(SCALE),
        () ->
            new ModelCheckingOptions()
                .iterations(size.iterations() * SCALE)
                .invocationsPerIteration(size.invocations())
                .threads(size.threads())
                .actorsPerThread(size.actorsPerThread())
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(model)
                .check(test));
  }

  /**
   * Runs {@code test}'s operations on real threads with Lincheck's stress strategy.
   *
   * @param test the class with the {@code @Operation}s (public, with a public no-arg constructor)
   * @param model the sequential model: the same operations, plain and single-threaded
   * @param size how many scenarios and runs
   */
  public static void stress(Class<?> test, Class<?> model, Size size) {
    assertTimeoutPreemptively(
        BOUND.multipliedBy(SCALE),
        () ->
            new StressOptions()
                .iterations(size.iterations() * SCALE)
                .invocationsPerIteration(size.invocations())
                .threads(size.threads())
                .actorsPerThread(size.actorsPerThread())
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(model)
                .check(test));
  }
}
