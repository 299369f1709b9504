package dev.bulwark.resilience.circuitbreaker;

import static dev.bulwark.resilience.testing.LinearizabilityChecks.actor;
import static dev.bulwark.resilience.testing.LinearizabilityChecks.explore;

import dev.bulwark.resilience.circuitbreaker.TimeWindowLincheckTest.Model;
import dev.bulwark.resilience.circuitbreaker.TimeWindowLincheckTest.Operations;
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
    explore(
        Operations.class,
        Model.class,
        actor(Operations.class, "record", 0, 2),
        actor(Operations.class, "record", Window.FAILED, 3));
  }

  /**
   * A failure read in second 2 summed the seconds before it while a failure read in second 3 took
   * over second 1's bucket: the sum missed second 1, still in the window as of second 2, and the
   * record was judged below the minimum of calls, which no serial order gives (second 1's two calls
   * count in one order, the failure of second 3 in the other).
   */
  @Test
  void aRecordDoesNotSumABucketThatALaterSecondTookOverMeanwhile() {
    explore(
        Operations.class,
        Model.class,
        actor(Operations.class, "record", Window.FAILED, 2),
        actor(Operations.class, "record", Window.FAILED, 3));
  }
}
