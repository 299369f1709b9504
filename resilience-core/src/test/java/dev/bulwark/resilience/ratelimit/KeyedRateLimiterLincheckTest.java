package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.testing.LinearizabilityChecks;
import java.time.Duration;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/*
 * NOT RUN BY THE SUITE (named *Check so Surefire skips it). Model checking found a real bug, now
 * fixed (InMemoryKeyStore.reserveSlot): with the store at maxKeys, two first decisions for one key
 * both read ABSENT, the first inserted the key's bucket and the second's room-making sweep evicted
 * it, so the key got two bursts with one key active; model checking passes since the fix. Stress
 * mode still fails, on an anomaly every limiter that reads a clock has: a caller's grant is decided
 * at its clock reading but becomes visible at its compare-and-set, and an availablePermits (or a
 * refusal's retry-after) read in between, after a concurrent advance, sees the bucket without it.
 * No grant can land in between (it would make the first caller's compare-and-set fail), so the
 * grants stay exact by their clock readings; only such read-only answers are stale. The model
 * cannot express that yet; run it by name: -Dtest=KeyedRateLimiterLincheckCheck.
 */
/**
 * Checks that {@link KeyedRateLimiter} on its in-memory store, evicting as it must, is linearizable
 * against a plain model: one token bucket per key, where the store holds a single key ({@code
 * maxKeys} 1), so a decision for the other key drops the held bucket and starts the new key full.
 *
 * <p>Two keys race for the one slot while the clock advances and idle buckets are swept ({@code
 * cleanUp}, with {@code expireAfterIdle} as short as allowed): an expired bucket is full, so
 * dropping it changes no answer, and an evicted one starts again full, as documented. The check
 * also holds the bound: the store never tracks more than {@code maxKeys} buckets.
 */
@Param(name = "key", gen = IntGen.class, conf = "0:1")
@Param(name = "permits", gen = IntGen.class, conf = "1:2")
@Param(name = "nanos", gen = IntGen.class, conf = "1:25")
public class KeyedRateLimiterLincheckCheck {

  private final ManualTimeSource time = new ManualTimeSource();
  private final KeyedRateLimiter<Integer> limiter =
      KeyedRateLimiter.<Integer>builder("lincheck")
          .rate(1, Duration.ofNanos(10))
          .burst(2)
          .maxKeys(1)
          .expireAfterIdle(Duration.ofNanos(20))
          .timeSource(time)
          .build();

  @Operation
  public String decide(@Param(name = "key") int key, @Param(name = "permits") int permits) {
    return TokenBucketModel.describe(limiter.decide(key, permits));
  }

  @Operation
  public int availablePermits(@Param(name = "key") int key) {
    return limiter.availablePermits(key);
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

  /** The sequential specification: the bucket of the one key held; any other key is full. */
  public static final class Model {
    private int heldKey = -1;
    private TokenBucketModel bucket;

    public String decide(int key, int permits) {
      if (key != heldKey) {
        heldKey = key; // the other key's bucket is dropped; this one starts full
        bucket = new TokenBucketModel(10, 2);
      }
      return bucket.decide(permits);
    }

    public int availablePermits(int key) {
      return key == heldKey ? bucket.available() : 2;
    }

    public void advance(int nanos) {
      if (bucket != null) {
        bucket.advance(nanos);
      }
    }

    public void cleanUp() {}

    public boolean withinMaxKeys() {
      return true;
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
