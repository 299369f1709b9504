package dev.bulwark.resilience.circuitbreaker;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.circuitbreaker.TimeWindowLincheckTest.Model;
import dev.bulwark.resilience.circuitbreaker.TimeWindowLincheckTest.Operations;
import java.time.Duration;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the time window's races across a second's turn, each a fixed pair of records
 * on two threads whose every interleaving Lincheck's model checker explores (the same interleavings
 * on every run), against the plain model of {@link TimeWindowLincheckTest}: a 2-second window that
 * already holds a failure in second 0 and a success and a failure in second 1.
 */
class TimeWindowInterleavingTest {

  /**
   * A failure read in second 3 went into its bucket; a success read in second 2 then went into its
   * own, found that the second had turned and was judged as of second 3, with the failure; the
   * failure's record then summed the seconds before 3, with the success. Each verdict held the
   * other's outcome (both FAILURE_RATE_EXCEEDED); in any serial order one of the two comes first
   * and is judged without the other (the failure alone is below the minimum of calls).
   */
  @Test
  void twoRecordsAcrossASecondsTurnDoNotEachJudgeTheOthersOutcome() {
    explore(record(0, 2), record(Window.FAILED, 3));
  }

  /**
   * A failure read in second 2 summed the seconds before it while a failure read in second 3 took
   * over second 1's bucket: the sum missed second 1, still in the window as of second 2, and the
   * record was judged below the minimum of calls, which no serial order gives (second 1's two calls
   * count in one order, the failure of second 3 in the other).
   */
  @Test
  void aRecordDoesNotSumABucketThatALaterSecondTookOverMeanwhile() {
    explore(record(Window.FAILED, 2), record(Window.FAILED, 3));
  }

  private static Actor record(int outcome, int second) {
    try {
      return new Actor(
          Operations.class.getMethod("record", int.class, int.class),
          List.of(outcome, second),
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
