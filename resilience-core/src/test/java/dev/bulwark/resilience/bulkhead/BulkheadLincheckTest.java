package dev.bulwark.resilience.bulkhead;

import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.lincheck.ImpatientTimeSource;
import dev.bulwark.resilience.testing.LinearizabilityChecks;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

/**
 * Checks that the {@link Bulkhead}'s packed permit word and its queue of waiters are linearizable
 * against a plain counter of permits held per thread: a permit is given while fewer than the
 * maximum are held, a release returns one, and {@code availablePermits()} is the maximum less those
 * held.
 *
 * <p>The bulkhead waits for a permit ({@code maxWait} is non-zero), on a time source whose every
 * timed wait gives the lock up once and then times out. So a caller that finds no permit really
 * queues, a release racing it may hand it the freed permit through the queue, and otherwise it
 * leaves the queue refused: the queued path, the hand-off and the clean-up after a timeout are all
 * checked, and no operation blocks for good. Each thread releases only permits it holds itself.
 */
@Param(name = "thread", gen = ThreadIdGen.class)
public class BulkheadLincheckTest {

  private static final int MAX = 2;
  private static final int SLOTS = 8;

  private final Bulkhead bulkhead =
      Bulkhead.builder("lincheck")
          .maxConcurrentCalls(MAX)
          .maxWait(Duration.ofSeconds(1))
          .timeSource(new ImpatientTimeSource())
          .build();

  private final List<ArrayDeque<Permit>> held = new ArrayList<>();

  public BulkheadLincheckTest() {
    for (int i = 0; i < SLOTS; i++) {
      held.add(new ArrayDeque<>());
    }
  }

  @Operation
  public boolean acquire(@Param(name = "thread") int thread) {
    try {
      held.get(thread).push(bulkhead.acquirePermit());
      return true;
    } catch (BulkheadFullException e) {
      return false;
    }
  }

  @Operation
  public boolean release(@Param(name = "thread") int thread) {
    Permit permit = held.get(thread).poll();
    if (permit == null) {
      return false;
    }
    permit.close();
    return true;
  }

  @Operation
  public int availablePermits() {
    return bulkhead.availablePermits();
  }

  /** The sequential specification: permits held, per thread. */
  public static final class Model {
    private final int[] held = new int[SLOTS];
    private int total;

    public boolean acquire(int thread) {
      if (total == MAX) {
        return false;
      }
      held[thread]++;
      total++;
      return true;
    }

    public boolean release(int thread) {
      if (held[thread] == 0) {
        return false;
      }
      held[thread]--;
      total--;
      return true;
    }

    public int availablePermits() {
      return MAX - total;
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
