package dev.bulwark.resilience.circuitbreaker;

import dev.bulwark.resilience.circuitbreaker.Window.Counts;
import dev.bulwark.resilience.circuitbreaker.Window.Thresholds;
import dev.bulwark.resilience.testing.LinearizabilityChecks;
import dev.bulwark.resilience.testing.LinearizabilityChecks.Size;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * The time window is linearizable, also while the second turns: every record's verdict and every
 * reading of the counts match a plain table of per-second counts in some serial order. The window
 * (2 seconds) starts with records in seconds 0 and 1 of virtual time; the concurrent records read
 * seconds 1 to 3, so that they turn the second (to 2, then to 3, whose bucket is second 1's),
 * arrive late (a record of second 2 after one of second 3 is judged as of second 3) or go nowhere
 * (second 1 after second 3 has taken its bucket); the counts are read as of seconds 1 to 4, so that
 * buckets leave the window. The races that once broke this have regression tests of their own in
 * {@link TimeWindowInterleavingTest}.
 */
class TimeWindowLincheckTest {

  private static final Size MODEL_CHECKING = new Size(8, 200, 2, 3);
  private static final Size STRESS = new Size(5, 100, 2, 3);

  static final int SECONDS = 2;
  static final Thresholds THRESHOLDS = new Thresholds(50f, 50f, 2);
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  // {outcome, second}: a failure in second 0 (out of the window by second 2), two in second 1
  static final int[][] EARLIER = {{Window.FAILED, 0}, {0, 1}, {Window.FAILED, 1}};

  /** Outcomes 0..3 as in {@link Window}; records in seconds 1..3, readings in seconds 1..4. */
  @Param(name = "outcome", gen = IntGen.class, conf = "0:3")
  @Param(name = "second", gen = IntGen.class, conf = "1:4")
  @Param(name = "recordSecond", gen = IntGen.class, conf = "1:3")
  public static final class Operations {
    private final TimeWindow window = new TimeWindow(SECONDS, THRESHOLDS);

    public Operations() {
      for (int[] earlier : EARLIER) {
        window.record(earlier[0], earlier[1] * NANOS_PER_SECOND);
      }
    }

    @Operation
    public int record(
        @Param(name = "outcome") int outcome, @Param(name = "recordSecond") int second) {
      return window.record(outcome, second * NANOS_PER_SECOND + NANOS_PER_SECOND / 2);
    }

    @Operation
    public Counts counts(@Param(name = "second") int second) {
      return window.counts(second * NANOS_PER_SECOND);
    }
  }

  /**
   * The sequential model: one bucket per second in a ring of {@link #SECONDS}; a record goes into
   * its second's bucket (replacing an older second's, dropped if a newer second has it) and is
   * judged on the window as of the latest second any record has read.
   */
  public static final class Model {
    private final long[] epochs = {Long.MIN_VALUE, Long.MIN_VALUE};
    private final long[][] counts = new long[SECONDS][3]; // calls, failures, slow
    private long latest = Long.MIN_VALUE;

    public Model() {
      for (int[] earlier : EARLIER) {
        record(earlier[0], earlier[1]);
      }
    }

    public int record(int outcome, int second) {
      latest = Math.max(latest, second);
      int i = second % SECONDS;
      if (epochs[i] < second) {
        epochs[i] = second;
        counts[i] = new long[3];
      }
      if (epochs[i] == second) {
        counts[i][0]++;
        counts[i][1] += outcome & Window.FAILED;
        counts[i][2] += (outcome & Window.SLOW) == 0 ? 0 : 1;
      }
      Counts c = counts((int) latest);
      return THRESHOLDS.judge(c.calls(), c.failures(), c.slow());
    }

    public Counts counts(int second) {
      long calls = 0;
      long failures = 0;
      long slow = 0;
      for (int i = 0; i < SECONDS; i++) {
        long age = second - epochs[i];
        if (epochs[i] != Long.MIN_VALUE && age >= 0 && age < SECONDS) {
          calls += counts[i][0];
          failures += counts[i][1];
          slow += counts[i][2];
        }
      }
      return new Counts(calls, failures, slow);
    }
  }

  @Test
  void timeWindowIsLinearizableUnderModelChecking() {
    LinearizabilityChecks.modelCheck(Operations.class, Model.class, MODEL_CHECKING);
  }

  @Test
  void timeWindowIsLinearizableUnderStress() {
    LinearizabilityChecks.stress(Operations.class, Model.class, STRESS);
  }
}
