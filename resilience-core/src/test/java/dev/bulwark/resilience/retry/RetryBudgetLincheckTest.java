package dev.bulwark.resilience.retry;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.testing.LinearizabilityChecks;
import dev.bulwark.resilience.testing.LinearizabilityChecks.Size;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * The retry budget is linearizable: requests, retries taken and given back, and readings of what is
 * left all match a plain list of timestamped requests and retries in some serial order, while
 * virtual time moves the window on. A budget of 10 ms in 1 ms slots, half of the requests plus one
 * retry per window: small enough that a scenario of a few operations reaches its bound.
 */
class RetryBudgetLincheckTest {

  private static final Size MODEL_CHECKING = new Size(8, 200, 2, 3);
  private static final Size STRESS = new Size(5, 100, 2, 3);

  static final Duration WINDOW = Duration.ofMillis(10);
  static final double RATIO = 0.5;
  static final int MIN_RETRIES_PER_SECOND = 100; // one retry per 10 ms window
  static final long STEP_NANOS = Duration.ofMillis(4).toNanos();

  /** The budget's operations, on a virtual clock that an operation moves 4 ms on. */
  public static final class Operations {
    private final ManualTimeSource time = new ManualTimeSource();
    private final RetryBudget budget =
        RetryBudget.builder()
            .ratio(RATIO)
            .minRetriesPerSecond(MIN_RETRIES_PER_SECOND)
            .window(WINDOW)
            .timeSource(time)
            .build();

    @Operation
    public void recordRequest() {
      budget.recordRequest();
    }

    @Operation
    public boolean tryAcquireRetry() {
      return budget.tryAcquireRetry();
    }

    @Operation
    public void refundRetry() {
      budget.refundRetry();
    }

    @Operation
    public long available() {
      return budget.available();
    }

    @Operation
    public void advance() {
      time.advance(Duration.ofNanos(STEP_NANOS));
    }
  }

  /**
   * The sequential model: every request and retry with the 1 ms slot it fell in; a slot counts
   * while it is one of the last ten; a refund removes the latest retry still counted.
   */
  public static final class Model {
    private static final long SLOT = WINDOW.toNanos() / 10;
    private long now;
    private final List<Long> requests = new ArrayList<>();
    private final List<Long> retries = new ArrayList<>();

    public void recordRequest() {
      requests.add(slot());
    }

    public boolean tryAcquireRetry() {
      if (left() > 0) {
        retries.add(slot());
        return true;
      }
      return false;
    }

    public void refundRetry() {
      long latest = Long.MIN_VALUE;
      for (long s : retries) {
        if (counts(s)) {
          latest = Math.max(latest, s);
        }
      }
      if (latest != Long.MIN_VALUE) {
        retries.remove(Long.valueOf(latest));
      }
    }

    public long available() {
      return Math.max(0, left());
    }

    public void advance() {
      now += STEP_NANOS;
    }

    private long slot() {
      return now / SLOT;
    }

    private boolean counts(long slot) {
      return slot() - slot < 10;
    }

    private long left() {
      long inRequests = requests.stream().filter(this::counts).count();
      long inRetries = retries.stream().filter(this::counts).count();
      long floor = MIN_RETRIES_PER_SECOND * WINDOW.toMillis() / 1000;
      return (long) Math.floor(RATIO * inRequests) + floor - inRetries;
    }
  }

  @Test
  void budgetIsLinearizableUnderModelChecking() {
    LinearizabilityChecks.modelCheck(Operations.class, Model.class, MODEL_CHECKING);
  }

  @Test
  void budgetIsLinearizableUnderStress() {
    LinearizabilityChecks.stress(Operations.class, Model.class, STRESS);
  }
}
