package dev.bulwark.resilience.circuitbreaker;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker.State;
import dev.bulwark.resilience.circuitbreaker.Window.Thresholds;
import dev.bulwark.resilience.testing.LinearizabilityChecks;
import dev.bulwark.resilience.testing.LinearizabilityChecks.Size;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

/**
 * The breaker's state machine is linearizable through its permit API: permits taken (and from which
 * state), outcomes recorded, permits given back, the open duration passing on a virtual clock, and
 * the state read, all match a plain single-threaded breaker in some serial order. In particular
 * HALF_OPEN hands out exactly its trial permits, and each transition happens once.
 *
 * <p>The breaker: a count window of 2, judged from 2 calls, opens at 50 % failures, 1 trial call in
 * HALF_OPEN (so that two acquires there already test the permit count), open for 1 s; an {@code
 * advance} operation moves the clock 2 s. Each scenario starts with the breaker tripped by two
 * failures and its open duration passed, so that its few operations reach HALF_OPEN's trial
 * permits, and from there CLOSED or OPEN again.
 */
class CircuitBreakerLincheckTest {

  private static final Size MODEL_CHECKING = new Size(8, 200, 2, 3);
  private static final Size STRESS = new Size(5, 100, 2, 3);

  static final int SIZE = 2;
  static final int TRIAL_CALLS = 1;
  static final Duration OPEN = Duration.ofSeconds(1);
  static final Duration STEP = Duration.ofSeconds(2);
  static final Thresholds THRESHOLDS = new Thresholds(50f, 100f, 2);
  // HALF_OPEN judges its one trial call: min(minimumCalls, trial calls)
  static final Thresholds TRIAL_THRESHOLDS = new Thresholds(50f, 100f, TRIAL_CALLS);
  static final int MAX_THREADS = 8;

  /** Each thread holds at most one permit at a time, taken by {@code acquire}. */
  @Param(name = "thread", gen = ThreadIdGen.class)
  public static final class Operations {
    private final ManualTimeSource time = new ManualTimeSource();
    private final CircuitBreaker breaker =
        CircuitBreaker.builder("lincheck")
            .slidingWindow(SlidingWindow.count(SIZE))
            .minimumCalls(2)
            .failureRateThreshold(50)
            .permittedCallsInHalfOpen(TRIAL_CALLS)
            .openDuration(OPEN)
            .timeSource(time)
            .build();
    private final Permit[] held = new Permit[MAX_THREADS];

    public Operations() {
      for (int i = 0; i < 2; i++) {
        breaker.acquirePermit().onFailure(new IllegalStateException("upstream failed"));
      }
      time.advance(STEP);
    }

    /** Takes a permit; returns the state it was taken in, or "refused". */
    @Operation
    public String acquire(@Param(name = "thread") int thread) {
      Optional<Permit> permit = breaker.tryAcquirePermit();
      if (permit.isEmpty()) {
        return "refused";
      }
      held[thread] = permit.get();
      return permit.get().toString();
    }

    @Operation
    public boolean succeed(@Param(name = "thread") int thread) {
      Permit permit = held[thread];
      held[thread] = null;
      if (permit == null) {
        return false;
      }
      permit.onSuccess();
      return true;
    }

    @Operation
    public boolean fail(@Param(name = "thread") int thread) {
      Permit permit = held[thread];
      held[thread] = null;
      if (permit == null) {
        return false;
      }
      permit.onFailure(new IllegalStateException("upstream failed"));
      return true;
    }

    /** Gives the permit back without an outcome. */
    @Operation
    public boolean release(@Param(name = "thread") int thread) {
      Permit permit = held[thread];
      held[thread] = null;
      if (permit == null) {
        return false;
      }
      permit.close();
      return true;
    }

    @Operation
    public void advance() {
      time.advance(STEP);
    }

    @Operation
    public State state() {
      return breaker.state();
    }
  }

  /** The sequential model: a plain breaker with lists for windows and a generation per state. */
  public static final class Model {
    private record Held(long generation, State state) {}

    private State state = State.CLOSED;
    private long generation; // moves on with every transition, as the real breaker's state object
    private ArrayDeque<Boolean> window = new ArrayDeque<>(); // failed?
    private int windowSize = SIZE; // of the CLOSED window, or TRIAL_CALLS for HALF_OPEN's
    private int permits;
    private long now;
    private long openedAt;
    private final Held[] held = new Held[MAX_THREADS];

    public Model() {
      for (int i = 0; i < 2; i++) {
        acquire(0);
        fail(0);
      }
      advance();
    }

    public String acquire(int thread) {
      if (state == State.OPEN && now - openedAt > OPEN.toNanos()) {
        moveTo(State.HALF_OPEN);
        window = new ArrayDeque<>();
        windowSize = TRIAL_CALLS;
        permits = TRIAL_CALLS;
      }
      if (state == State.HALF_OPEN) {
        if (permits == 0) {
          return "refused";
        }
        permits--;
      } else if (state != State.CLOSED) {
        return "refused";
      }
      held[thread] = new Held(generation, state);
      return "Permit[lincheck, from " + state + "]";
    }

    public boolean succeed(int thread) {
      return complete(thread, false);
    }

    public boolean fail(int thread) {
      return complete(thread, true);
    }

    private boolean complete(int thread, boolean failed) {
      if (held[thread] == null) {
        return false;
      }
      held[thread] = null;
      window.addLast(failed);
      if (window.size() > windowSize) {
        window.removeFirst();
      }
      if (state == State.OPEN) {
        return true; // recorded in the window that tripped; no transition
      }
      long failures = window.stream().filter(f -> f).count();
      Thresholds thresholds = windowSize == SIZE ? THRESHOLDS : TRIAL_THRESHOLDS;
      int verdict = thresholds.judge(window.size(), failures, 0);
      if (verdict >= Window.FAILURE_RATE_EXCEEDED) {
        moveTo(State.OPEN);
        openedAt = now;
      } else if (state == State.HALF_OPEN && verdict == Window.BELOW_THRESHOLDS) {
        moveTo(State.CLOSED);
        window = new ArrayDeque<>();
        windowSize = SIZE;
      }
      return true;
    }

    public boolean release(int thread) {
      Held permit = held[thread];
      held[thread] = null;
      if (permit == null) {
        return false;
      }
      if (permit.state() == State.HALF_OPEN && permit.generation() == generation) {
        permits++;
      }
      return true;
    }

    public void advance() {
      now += STEP.toNanos();
    }

    public State state() {
      return state == State.OPEN && now - openedAt > OPEN.toNanos() ? State.HALF_OPEN : state;
    }

    private void moveTo(State next) {
      state = next;
      generation++;
    }
  }

  @Test
  void breakerIsLinearizableUnderModelChecking() {
    LinearizabilityChecks.modelCheck(Operations.class, Model.class, MODEL_CHECKING);
  }

  @Test
  void breakerIsLinearizableUnderStress() {
    LinearizabilityChecks.stress(Operations.class, Model.class, STRESS);
  }
}
