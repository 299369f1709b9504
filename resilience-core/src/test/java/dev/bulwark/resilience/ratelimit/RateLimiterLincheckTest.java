package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.testing.LinearizabilityChecks;
import java.time.Duration;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Checks that {@link RateLimiter} on its in-memory bucket is linearizable against a plain token
 * bucket, with the clock advancing concurrently: every grant, refusal and retry-after, and every
 * {@code availablePermits()}, is what the sequential bucket says at some instant inside the call.
 *
 * <p>The bucket is 1 permit per 10 ns with a burst of 2, so a few operations cross empty, refill
 * and full. Lincheck runs each scenario in model-checking mode (it explores thread switches at
 * every shared access) and in stress mode (real threads); {@code -Dbulwark.stress.scale=N}
 * multiplies the iterations.
 */
@Param(name = "permits", gen = IntGen.class, conf = "1:2")
@Param(name = "nanos", gen = IntGen.class, conf = "1:25")
public class RateLimiterLincheckTest {

  private final ManualTimeSource time = new ManualTimeSource();
  private final RateLimiter limiter =
      RateLimiter.builder("lincheck")
          .rate(1, Duration.ofNanos(10))
          .burst(2)
          .timeSource(time)
          .build();

  @Operation
  public String decide(@Param(name = "permits") int permits) {
    return TokenBucketModel.describe(limiter.decide(permits));
  }

  @Operation
  public boolean tryAcquire() {
    return limiter.tryAcquire();
  }

  @Operation
  public int availablePermits() {
    return limiter.availablePermits();
  }

  @Operation
  public void advance(@Param(name = "nanos") int nanos) {
    time.advance(Duration.ofNanos(nanos));
  }

  /** The sequential specification: a token bucket counted in whole nanoseconds of refill. */
  public static final class Model {
    private final TokenBucketModel bucket = new TokenBucketModel(10, 2);

    public String decide(int permits) {
      return bucket.decide(permits);
    }

    public boolean tryAcquire() {
      return bucket.decide(1).equals("granted");
    }

    public int availablePermits() {
      return bucket.available();
    }

    public void advance(int nanos) {
      bucket.advance(nanos);
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
