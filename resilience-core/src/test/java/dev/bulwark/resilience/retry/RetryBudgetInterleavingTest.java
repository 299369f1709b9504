package dev.bulwark.resilience.retry;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.retry.RetryBudgetLincheckTest.Model;
import dev.bulwark.resilience.retry.RetryBudgetLincheckTest.Operations;
import java.time.Duration;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.junit.jupiter.api.Test;

/**
 * The retry budget's slot counts under a race, as fixed scenarios whose every interleaving
 * Lincheck's model checker explores (the same interleavings on every run), against the model of
 * {@link RetryBudgetLincheckTest}. That check's random scenarios did not catch a slot incremented
 * by a read and a plain write (lost updates); these do.
 */
class RetryBudgetInterleavingTest {

  /** Two requests recorded at once both count: the budget then allows half of two, plus one. */
  @Test
  void twoRequestsRecordedAtOnceBothCount() {
    explore(actor("recordRequest"), actor("recordRequest"), actor("available"));
  }

  /** Two retries taken at once both count: with one left, exactly one of them gets it. */
  @Test
  void twoRetriesRacingForTheLastOneTakeItOnce() {
    explore(actor("tryAcquireRetry"), actor("tryAcquireRetry"), actor("available"));
  }

  private static Actor actor(String operation) {
    try {
      return new Actor(
          Operations.class.getMethod(operation), List.of(), false, false, false, false, false);
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Model-checks every interleaving of {@code first} and {@code second}, then runs {@code after}.
   */
  private static void explore(Actor first, Actor second, Actor after) {
    ExecutionScenario scenario =
        new ExecutionScenario(
            List.of(), List.of(List.of(first), List.of(second)), List.of(after), null);
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
