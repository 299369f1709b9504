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

  private final Bulkhead bulkhead =
      Bulkhead.builder("lincheck")
          .maxConcurrentCalls(MAX)
          .maxWait(Duration.ofSeconds(1))
          .timeSource(new ImpatientTimeSource())
          .build();

  private final HeldPermits<Permit> held = new HeldPermits<>();

  @Operation
  public boolean acquire(@Param(name = "thread") int thread) {
    return held.acquire(thread, bulkhead::acquirePermit);
  }

  @Operation
  public boolean release(@Param(name = "thread") int thread) {
    return held.finish(thread, Permit::close);
  }

  @Operation
  public int availablePermits() {
    return bulkhead.availablePermits();
  }

  /** The sequential specification: permits held, per thread. */
  public static final class Model {
    private final HeldPermits<Boolean> held = new HeldPermits<>();
    private int total;

    public boolean acquire(int thread) {
      if (total == MAX) {
        return false;
      }
      held.hold(thread, true);
      total++;
      return true;
    }

    public boolean release(int thread) {
      return held.finish(thread, permit -> total--);
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
