package dev.bulwark.resilience.circuitbreaker;

import dev.bulwark.resilience.circuitbreaker.Window.Counts;
import dev.bulwark.resilience.circuitbreaker.Window.Thresholds;
import dev.bulwark.resilience.testing.LinearizabilityChecks;
import dev.bulwark.resilience.testing.LinearizabilityChecks.Size;
import java.util.ArrayDeque;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * The count window is linearizable: every record's verdict, and every reading of the counts, is
 * what a plain list of the last n outcomes gives in some serial order of the same operations.
 * Checked on a one-slot ring (where a stale helper once advanced the totals twice, an ABA) and on a
 * two-slot ring, by Lincheck's model checker (all interleavings it reaches) and on real threads.
 */
class CountWindowLincheckTest {

  private static final Size MODEL_CHECKING = new Size(8, 200, 2, 3);
  private static final Size STRESS = new Size(5, 100, 2, 3);

  /** Outcomes 0..3: fast success, failure, slow success, slow failure. */
  @Param(name = "outcome", gen = IntGen.class, conf = "0:3")
  public abstract static class Operations {
    private final CountWindow window;

    Operations(int size) {
      window = new CountWindow(size, thresholds(size));
    }

    @Operation
    public int record(@Param(name = "outcome") int outcome) {
      return window.record(outcome, 0L);
    }

    @Operation
    public Counts counts() {
      return window.counts(0L);
    }
  }

  /** Failure and slow rates at 50 %, judged from a full window. */
  static Thresholds thresholds(int size) {
    return new Thresholds(50f, 50f, size);
  }

  /** The sequential model: a list of the last n outcomes, counted on every read. */
  public abstract static class Model {
    private final int size;
    private final ArrayDeque<Integer> last = new ArrayDeque<>();

    Model(int size) {
      this.size = size;
    }

    public int record(int outcome) {
      last.addLast(outcome);
      if (last.size() > size) {
        last.removeFirst();
      }
      Counts c = counts();
      return thresholds(size).judge(c.calls(), c.failures(), c.slow());
    }

    public Counts counts() {
      long failures = 0;
      long slow = 0;
      for (int outcome : last) {
        failures += outcome & Window.FAILED;
        slow += (outcome & Window.SLOW) == 0 ? 0 : 1;
      }
      return new Counts(last.size(), failures, slow);
    }
  }

  public static final class OneSlot extends Operations {
    public OneSlot() {
      super(1);
    }
  }

  public static final class OneSlotModel extends Model {
    public OneSlotModel() {
      super(1);
    }
  }

  public static final class TwoSlots extends Operations {
    public TwoSlots() {
      super(2);
    }
  }

  public static final class TwoSlotsModel extends Model {
    public TwoSlotsModel() {
      super(2);
    }
  }

  @Test
  void oneSlotRingIsLinearizableUnderModelChecking() {
    LinearizabilityChecks.modelCheck(OneSlot.class, OneSlotModel.class, MODEL_CHECKING);
  }

  @Test
  void twoSlotRingIsLinearizableUnderModelChecking() {
    LinearizabilityChecks.modelCheck(TwoSlots.class, TwoSlotsModel.class, MODEL_CHECKING);
  }

  @Test
  void oneSlotRingIsLinearizableUnderStress() {
    LinearizabilityChecks.stress(OneSlot.class, OneSlotModel.class, STRESS);
  }

  @Test
  void twoSlotRingIsLinearizableUnderStress() {
    LinearizabilityChecks.stress(TwoSlots.class, TwoSlotsModel.class, STRESS);
  }
}
