package dev.bulwark.lifecycle.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A full queue's retry-after as a pure function of the run times it was given: no clock. */
class RunTimeEstimateTest {

  private final RunTimeEstimate estimate = new RunTimeEstimate();

  @Test
  void thereIsNoEstimateBeforeAJobHasFinished() {
    assertThat(estimate.retryAfter(1, true)).isNull();
  }

  @Test
  void thereIsNoEstimateWhileTheRunnersHaveNotStarted() {
    estimate.add(1_000);
    assertThat(estimate.retryAfter(1, false)).isNull();
  }

  @Test
  void theFirstRunTimeIsTheAverage() {
    estimate.add(1_000);
    assertThat(estimate.retryAfter(1, true)).isEqualTo(Duration.ofNanos(1_000));
  }

  @Test
  void laterRunTimesWeighOneFifth() {
    estimate.add(1_000);
    estimate.add(6_000); // (1,000 * 4 + 6,000) / 5
    assertThat(estimate.retryAfter(1, true)).isEqualTo(Duration.ofNanos(2_000));
    estimate.add(2_000); // unchanged when a job takes the average
    assertThat(estimate.retryAfter(1, true)).isEqualTo(Duration.ofNanos(2_000));
  }

  @Test
  void moreRunnersFreeAPlaceSooner() {
    estimate.add(9_000);
    assertThat(estimate.retryAfter(3, true)).isEqualTo(Duration.ofNanos(3_000));
  }

  @Test
  void theEstimateIsNeverZeroEvenForInstantJobs() {
    estimate.add(0);
    assertThat(estimate.retryAfter(1, true)).isEqualTo(Duration.ofNanos(1));
    estimate.add(5);
    assertThat(estimate.retryAfter(8, true)).isEqualTo(Duration.ofNanos(1));
  }
}
