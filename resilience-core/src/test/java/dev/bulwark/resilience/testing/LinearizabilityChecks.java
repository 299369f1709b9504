package dev.bulwark.resilience.testing;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * Runs a Lincheck linearizability check of a concurrent structure against a plain sequential model,
 * in either of Lincheck's modes, with bounded iterations and a preemptive timeout. Lincheck
 * generates small scenarios of the test class's {@code @Operation}s on a few threads; model
 * checking explores their interleavings (switching threads at every shared read and write), stress
 * runs them on real threads; every outcome must match some serial order of the model.
 *
 * <p>Every Lincheck check in Bulwark runs through here, so that together they stay within the
 * suite's time budget on two cores. {@code -Dbulwark.stress.scale=N} runs N times as many scenarios
 * (and allows N times as long), as it scales the other stress tests.
 */
public final class LinearizabilityChecks {

  /** The scale factor of every check, as the other stress tests scale. */
  public static final int SCALE = Integer.getInteger("bulwark.stress.scale", 1);

  /** Model checking by default: two threads of three operations, after two set-up operations. */
  public static final Size MODEL_CHECKING = new Size(6, 100, 2, 3, 2);

  /** Stress by default: three threads of three operations, after two set-up operations. */
  public static final Size STRESS = new Size(6, 200, 3, 3, 2);

  // A guard against a hang, not a speed claim: a loaded 2-core machine ran one check for 5 minutes.
  private static final Duration BOUND = Duration.ofMinutes(10);

  private LinearizabilityChecks() {}

  /**
   * The size of one check: how many scenarios, how many runs of each, on how many threads. Every
   * scenario also ends with one operation run after the parallel part.
   *
   * @param iterations scenarios to generate (multiplied by the scale)
   * @param invocations runs (interleavings, in model checking) of each scenario
   * @param threads parallel threads of a scenario
   * @param actorsPerThread operations per thread
   * @param actorsBefore operations run on one thread before the parallel part
   */
  public record Size(
      int iterations, int invocations, int threads, int actorsPerThread, int actorsBefore) {

    /**
     * A size with one operation before the parallel part.
     *
     * @param iterations scenarios to generate (multiplied by the scale)
     * @param invocations runs (interleavings, in model checking) of each scenario
     * @param threads parallel threads of a scenario
     * @param actorsPerThread operations per thread
     */
    public Size(int iterations, int invocations, int threads, int actorsPerThread) {
      this(iterations, invocations, threads, actorsPerThread, 1);
    }
  }

  /**
   * Explores interleavings of {@code test}'s operations with Lincheck's model checker, sized by
   * {@link #MODEL_CHECKING}.
   *
   * @param test the class with the {@code @Operation}s (public, with a public no-arg constructor)
   * @param model the sequential model: the same operations, plain and single-threaded
   */
  public static void modelCheck(Class<?> test, Class<?> model) {
    modelCheck(test, model, MODEL_CHECKING);
  }

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
                .actorsBefore(size.actorsBefore())
                .actorsAfter(1)
                .sequentialSpecification(model)
                .check(test));
  }

  /**
   * Runs {@code test}'s operations on real threads with Lincheck's stress strategy, sized by {@link
   * #STRESS}.
   *
   * @param test the class with the {@code @Operation}s (public, with a public no-arg constructor)
   * @param model the sequential model: the same operations, plain and single-threaded
   */
  public static void stress(Class<?> test, Class<?> model) {
    stress(test, model, STRESS);
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
                .actorsBefore(size.actorsBefore())
                .actorsAfter(1)
                .sequentialSpecification(model)
                .check(test));
  }

  /**
   * Returns a call of {@code test}'s operation {@code name} with {@code args}, for {@link
   * #explore}.
   *
   * @param test the class with the {@code @Operation}s
   * @param name the operation's method name, unique in {@code test}
   * @param args its arguments
   * @return the call
   * @throws IllegalArgumentException if {@code test} has no such method, or more than one
   */
  public static Actor actor(Class<?> test, String name, Object... args) {
    List<Method> methods =
        Arrays.stream(test.getMethods()).filter(m -> m.getName().equals(name)).toList();
    if (methods.size() != 1) {
      throw new IllegalArgumentException(
          test.getSimpleName() + " must have one method named " + name + ", has " + methods.size());
    }
    return new Actor(methods.getFirst(), List.of(args), false, false, false, false, false);
  }

  /**
   * Model-checks every interleaving of one fixed scenario, the same on every run: {@code first} and
   * {@code second} on two threads, then {@code after} on one. Fixed scenarios pin a race that the
   * random scenarios of {@link #modelCheck} reach only by chance.
   *
   * @param test the class with the {@code @Operation}s (public, with a public no-arg constructor)
   * @param model the sequential model: the same operations, plain and single-threaded
   * @param first the first thread's call
   * @param second the second thread's call
   * @param after calls made once both threads have finished, in order
   */
  public static void explore(
      Class<?> test, Class<?> model, Actor first, Actor second, Actor... after) {
    ExecutionScenario scenario =
        new ExecutionScenario(
            List.of(), List.of(List.of(first), List.of(second)), List.of(after), null);
    assertTimeoutPreemptively(
        BOUND.multipliedBy(SCALE),
        () ->
            new ModelCheckingOptions()
                .iterations(0)
                .invocationsPerIteration(300 * SCALE)
                .addCustomScenario(scenario)
                .sequentialSpecification(model)
                .check(test));
  }
}
