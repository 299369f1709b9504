package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.testing.LinearizabilityChecks;
import dev.bulwark.resilience.testing.LinearizabilityChecks.Size;
import java.time.Duration;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Checks that {@link KeyedRateLimiter} on its in-memory store, evicting as it must, is linearizable
 * against a plain model: one token bucket per key, where the store holds a single key ({@code
 * maxKeys} 1), so a decision for the other key drops the held bucket and starts the new key full.
 * An expired bucket is full, so sweeping it ({@code cleanUp}, with {@code expireAfterIdle} as short
 * as allowed) changes no answer. The store must also never track more than {@code maxKeys} buckets.
 *
 * <p><b>What is checked, and what is not.</b> A decision is judged at its clock reading but becomes
 * visible at its compare-and-set. No other decision can land in between (it would make the first
 * one's compare-and-set fail, and the first then reads the bucket and the clock again), so the
 * grants are exact. But a read-only answer that reads the bucket in between, after a concurrent
 * advance of the clock, sees the bucket at the later time without that grant: an {@code
 * availablePermits} or a refusal's retry-after can be one no serial order gives (stress mode finds
 * such runs; model checking can reach them too). Every limiter that reads a clock outside its
 * compare-and-set has this; only such read-only answers are stale. So the check is split:
 *
 * <ul>
 *   <li>{@link Decisions}: decisions as granted or refused, racing clock advances, sweeps and the
 *       eviction of the other key; in model-checking and stress modes. A refusal that saw the
 *       bucket without a concurrent grant would also be refused with it, so the answer is exact.
 *   <li>{@link Answers}: every answer in full (the retry-after of a refusal, {@code
 *       availablePermits}) with decisions, sweeps and eviction racing while the clock stands still
 *       (it moved before the race, so the buckets are part refilled): then a grant's clock reading
 *       and its compare-and-set see the same instant. In model-checking mode only (see below).
 * </ul>
 *
 * <p>Not checked: a retry-after or {@code availablePermits} racing a clock advance and a grant; and
 * {@link Answers} only by model checking. Stress found a second anomaly there, of eviction: one
 * decision for key 1 that must make room sweeps, finds room taken by a new bucket of key 0 (created
 * by a decision that read key 0 evicted by that first sweep), and sweeps again, evicting key 0
 * twice; key 0 was granted a fresh burst and key 1 is held afterwards, which no serial order of the
 * model gives ({@code decide(0, 2): granted, availablePermits(1): 0} racing {@code decide(1, 2):
 * granted}, key 0 holding 1 permit before). It is within the documented contract (a key can take up
 * to a burst more while more than {@code maxKeys} keys are active), but the model, which evicts
 * exactly at another key's decision, does not express it.
 */
public class KeyedRateLimiterLincheckTest {

  private static final Size MODEL_CHECKING = new Size(4, 100, 2, 3, 2);
  private static final Size STRESS = new Size(4, 100, 3, 3, 2);

  private static final int NANOS_PER_PERMIT = 10;
  private static final int BURST = 2;

  private static KeyedRateLimiter<Integer> limiter(ManualTimeSource time) {
    return KeyedRateLimiter.<Integer>builder("lincheck")
        .rate(1, Duration.ofNanos(NANOS_PER_PERMIT))
        .burst(BURST)
        .maxKeys(1)
        .expireAfterIdle(Duration.ofNanos(20))
        .timeSource(time)
        .build();
  }

  /** Decisions (granted or refused), clock advances, sweeps and the bound, all racing. */
  @Param(name = "key", gen = IntGen.class, conf = "0:1")
  @Param(name = "permits", gen = IntGen.class, conf = "1:2")
  @Param(name = "nanos", gen = IntGen.class, conf = "1:25")
  public static final class Decisions {
    private final ManualTimeSource time = new ManualTimeSource();
    private final KeyedRateLimiter<Integer> limiter = limiter(time);

    @Operation
    public boolean tryAcquire(@Param(name = "key") int key, @Param(name = "permits") int permits) {
      return limiter.tryAcquire(key, permits);
    }

    @Operation
    public void advance(@Param(name = "nanos") int nanos) {
      time.advance(Duration.ofNanos(nanos));
    }

    @Operation
    public void cleanUp() {
      limiter.cleanUp();
    }

    @Operation
    public boolean withinMaxKeys() {
      return limiter.trackedKeys() <= 1;
    }
  }

  /** The sequential specification of {@link Decisions}. */
  public static final class DecisionsModel {
    private final Model model = new Model();

    public boolean tryAcquire(int key, int permits) {
      return model.decide(key, permits).equals("granted");
    }

    public void advance(int nanos) {
      model.advance(nanos);
    }

    public void cleanUp() {}

    public boolean withinMaxKeys() {
      return true;
    }
  }

  /**
   * Every answer in full, the retry-after and {@code availablePermits} included, racing with the
   * clock standing still: key 0 took its burst at 0 ns and the clock is at 15 ns, so it holds one
   * permit and the next comes in 5 ns.
   */
  @Param(name = "key", gen = IntGen.class, conf = "0:1")
  @Param(name = "permits", gen = IntGen.class, conf = "1:2")
  public static final class Answers {
    private final ManualTimeSource time = new ManualTimeSource();
    private final KeyedRateLimiter<Integer> limiter = limiter(time);

    public Answers() {
      limiter.decide(0, BURST);
      time.advance(Duration.ofNanos(15));
    }

    @Operation
    public String decide(@Param(name = "key") int key, @Param(name = "permits") int permits) {
      return TokenBucketModel.describe(limiter.decide(key, permits));
    }

    @Operation
    public int availablePermits(@Param(name = "key") int key) {
      return limiter.availablePermits(key);
    }

    @Operation
    public void cleanUp() {
      limiter.cleanUp();
    }

    @Operation
    public boolean withinMaxKeys() {
      return limiter.trackedKeys() <= 1;
    }
  }

  /** The sequential specification of {@link Answers}. */
  public static final class AnswersModel {
    private final Model model = new Model();

    public AnswersModel() {
      model.decide(0, BURST);
      model.advance(15);
    }

    public String decide(int key, int permits) {
      return model.decide(key, permits);
    }

    public int availablePermits(int key) {
      return model.availablePermits(key);
    }

    public void cleanUp() {}

    public boolean withinMaxKeys() {
      return true;
    }
  }

  /** The bucket of the one key held; any other key is full. */
  private static final class Model {
    private int heldKey = -1;
    private TokenBucketModel bucket;

    String decide(int key, int permits) {
      if (key != heldKey) {
        heldKey = key; // the other key's bucket is dropped; this one starts full
        bucket = new TokenBucketModel(NANOS_PER_PERMIT, BURST);
      }
      return bucket.decide(permits);
    }

    int availablePermits(int key) {
      return key == heldKey ? bucket.available() : BURST;
    }

    void advance(int nanos) {
      if (bucket != null) {
        bucket.advance(nanos);
      }
    }
  }

  @Test
  void decisionsAreLinearizableUnderModelChecking() {
    LinearizabilityChecks.modelCheck(Decisions.class, DecisionsModel.class, MODEL_CHECKING);
  }

  @Test
  void decisionsAreLinearizableUnderStress() {
    LinearizabilityChecks.stress(Decisions.class, DecisionsModel.class, STRESS);
  }

  @Test
  void everyAnswerIsLinearizableWhileTheClockStandsStillUnderModelChecking() {
    LinearizabilityChecks.modelCheck(Answers.class, AnswersModel.class, MODEL_CHECKING);
  }
}
