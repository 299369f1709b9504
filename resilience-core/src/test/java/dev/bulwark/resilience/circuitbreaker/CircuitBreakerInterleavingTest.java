package dev.bulwark.resilience.circuitbreaker;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.circuitbreaker.CircuitBreakerLincheckTest.Model;
import dev.bulwark.resilience.circuitbreaker.CircuitBreakerLincheckTest.Operations;
import java.time.Duration;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.junit.jupiter.api.Test;

/**
 * The breaker's race for its HALF_OPEN trial permits, as a fixed scenario whose every interleaving
 * Lincheck's model checker explores (the same interleavings on every run), against the model of
 * {@link CircuitBreakerLincheckTest}. That check's random scenarios seldom put two acquires first
 * on both threads: with a trial permit taken by a read and a plain write instead of a
 * compare-and-set, it passed, and this test fails.
 */
class CircuitBreakerInterleavingTest {

  /**
   * The breaker is tripped and its open duration has passed; two threads acquire at once. One moves
   * it to HALF_OPEN (or both try), and exactly one of them gets its single trial permit.
   */
  @Test
  void twoCallersRacingIntoHalfOpenTakeItsOneTrialPermitOnce() {
    explore(acquire(0), acquire(1));
  }

  private static Actor acquire(int thread) {
    try {
      return new Actor(
          Operations.class.getMethod("acquire", int.class),
          List.of(thread),
          false,
          false,
          false,
          false,
          false);
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  /** Model-checks every interleaving of {@code first} and {@code second} on two threads. */
  private static void explore(Actor first, Actor second) {
    ExecutionScenario scenario =
        new ExecutionScenario(List.of(), List.of(List.of(first), List.of(second)), List.of(), null);
    assertTimeoutPreemptively(
        Duration.ofMinutes(2),
        () ->
            new ModelCheckingOptions()
                .iterations(0)
                .invocationsPerIteration(300)
                .addCustomScenario(scenario)
                .sequentialSpecification(Model.class)
                .check(Operations.class));
  }
}
