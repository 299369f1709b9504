package dev.bulwark.resilience.bulkhead;

import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.lincheck.ImpatientTimeSource;
import dev.bulwark.resilience.testing.LinearizabilityChecks;
import java.time.Duration;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

/**
 * Checks that the {@link AdaptiveBulkhead}'s in-flight accounting and its limit updates, racing
 * acquires and releases, are linearizable against a sequential bulkhead that feeds each finished
 * permit to the algorithm and moves the limit in the same step.
 *
 * <p>The algorithm is chosen explicitly (AIMD halving on a drop, limits 1 to 3 from 2), so the
 * check does not depend on the default; the model runs its own instance of the same algorithm,
 * which is a plain sequential state machine: what is checked is the concurrent mechanism around it.
 * As in {@link BulkheadLincheckTest}, waiting callers really queue on a time source whose waits
 * time out after giving the lock up once, and each thread finishes only permits it holds itself.
 */
@Param(name = "thread", gen = ThreadIdGen.class)
public class AdaptiveBulkheadLincheckTest {

  private static final int INITIAL = 2;
  private static final int MIN = 1;
  private static final int MAX = 3;

  /** The failure that counts as a drop. */
  private static final class Overload extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Overload() {
      super("overloaded", null, false, false);
    }
  }

  private static LimitAlgorithm algorithm() {
    return LimitAlgorithm.aimd().backoffRatio(0.5).build();
  }

  private final AdaptiveBulkhead bulkhead =
      AdaptiveBulkhead.builder("lincheck")
          .algorithm(algorithm())
          .initialLimit(INITIAL)
          .minLimit(MIN)
          .maxLimit(MAX)
          .timeout(Duration.ofSeconds(1))
          .maxWait(Duration.ofSeconds(1))
          .dropWhen(failure -> failure instanceof Overload)
          .timeSource(new ImpatientTimeSource())
          .build();

  private final HeldPermits<Permit> held = new HeldPermits<>();

  @Operation
  public boolean acquire(@Param(name = "thread") int thread) {
    return held.acquire(thread, bulkhead::acquirePermit);
  }

  @Operation
  public boolean succeed(@Param(name = "thread") int thread) {
    return held.finish(thread, Permit::onSuccess);
  }

  @Operation
  public boolean drop(@Param(name = "thread") int thread) {
    return held.finish(thread, permit -> permit.onFailure(new Overload()));
  }

  @Operation
  public int limit() {
    return bulkhead.limit();
  }

  @Operation
  public int availablePermits() {
    return bulkhead.availablePermits();
  }

  /**
   * The sequential specification: permits held per thread, each with the in-flight count it was
   * given at; finishing one feeds that sample to the algorithm, moves the limit and frees the
   * permit in one step.
   */
  public static final class Model {
    private final LimitAlgorithm.Limit algorithm = algorithm().start(INITIAL, MIN, MAX);
    private final HeldPermits<Integer> held = new HeldPermits<>();
    private int limit = INITIAL;
    private int total;

    public boolean acquire(int thread) {
      if (total >= limit) {
        return false;
      }
      total++;
      held.hold(thread, total);
      return true;
    }

    public boolean succeed(int thread) {
      return finish(thread, false);
    }

    public boolean drop(int thread) {
      return finish(thread, true);
    }

    private boolean finish(int thread, boolean dropped) {
      return held.finish(
          thread,
          inFlight -> {
            limit = Math.max(MIN, Math.min(MAX, algorithm.onSample(0L, 0L, inFlight, dropped)));
            total--;
          });
    }

    public int limit() {
      return limit;
    }

    public int availablePermits() {
      return Math.max(0, limit - total);
    }
  }

  @Test
  void isLinearizableUnderModelChecking() {
    LinearizabilityChecks.modelCheck(getClass(), Model.class);
  }

  @Test
  void isLinearizableUnderStress() {
    LinearizabilityChecks.stress(getClass(), Model.class);
  }
}
