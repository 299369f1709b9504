package dev.bulwark.resilience.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.core.IntervalFunction;
import java.io.Serial;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Drives this breaker and resilience4j 2.4.0's side by side through random configurations and
 * random sequences of permission requests, outcomes, durations and clock advances, and checks that
 * both permit and refuse the same calls, pass through the same states and report the same window
 * counts and rates.
 *
 * <p>Both share one virtual clock: ours reads the {@link ManualTimeSource}, resilience4j a {@link
 * Clock} whose instant is the same nanosecond count after the epoch (so its epoch seconds, which
 * its time window buckets by, are our whole seconds). resilience4j measures no duration itself here
 * (its timing ignores an injected clock, #734): it is told each call's duration through {@code
 * onSuccess/onError(duration, NANOSECONDS)}, which is the time our permit measured.
 *
 * <p>The intentional differences (see {@link CircuitBreaker}) are excluded explicitly:
 *
 * <ul>
 *   <li>slow-call detection off in ours: resilience4j gets a slow-call duration no call reaches;
 *   <li>{@code state()} reads HALF_OPEN once the open duration has passed: the expected state maps
 *       resilience4j's OPEN past its deadline to HALF_OPEN;
 *   <li>a trial permit is given back only to the HALF_OPEN state that issued it: an ignored or
 *       abandoned outcome of a permit from another state while HALF_OPEN is turned into a success
 *       for both;
 *   <li>open durations are whole milliseconds (resilience4j truncates to them);
 *   <li>refusal counts are compared with our own tally, not resilience4j's per-state count.
 * </ul>
 *
 * <p>{@code -Dbulwark.oracle.scale=10} runs ten times as many sequences.
 */
class CircuitBreakerOracleTest {

  private static final int SEQUENCES = 1_000 * Integer.getInteger("bulwark.oracle.scale", 1);
  private static final int STEPS = 500;

  static final class RecordedException extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    RecordedException() {
      super(null, null, false, false);
    }
  }

  static final class OtherException extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    OtherException() {
      super(null, null, false, false);
    }
  }

  static final class IgnoredException extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    IgnoredException() {
      super(null, null, false, false);
    }
  }

  /** resilience4j's view of the shared virtual time. */
  static final class VirtualClock extends Clock {
    private final ManualTimeSource time;

    VirtualClock(ManualTimeSource time) {
      this.time = time;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochSecond(0, time.nanoTime());
    }
  }

  /** A call in flight in both breakers. */
  record InFlight(Permit ours, long startNanos, int generation) {}

  @Test
  void agreesWithResilience4jOnRandomConfigurationsAndSequences() {
    long baseSeed = Long.getLong("bulwark.oracle.seed", 20261122L);
    int halfOpenSeen = 0;
    int trips = 0;
    for (int i = 0; i < SEQUENCES; i++) {
      long seed = baseSeed + i;
      Run run = new Run(seed);
      run.play();
      halfOpenSeen += run.halfOpenEntries;
      trips += run.trips;
    }
    // the sequences must exercise the whole state machine, not sit in CLOSED
    assertThat(trips).isGreaterThan(SEQUENCES);
    assertThat(halfOpenSeen).isGreaterThan(SEQUENCES);
  }

  /** One random configuration and one random sequence, played on both breakers. */
  static final class Run {
    final long seed;
    final SplittableRandom random;
    final ManualTimeSource time;
    final CircuitBreaker ours;
    final io.github.resilience4j.circuitbreaker.CircuitBreaker theirs;
    final IntervalFunction waits;
    final List<String> ourTransitions = new ArrayList<>();
    final List<String> theirTransitions = new ArrayList<>();
    final ArrayDeque<String> trace = new ArrayDeque<>();
    final List<InFlight> inFlight = new ArrayList<>();
    final boolean slowOn;
    final long slowNanos;
    final boolean recordOnlySome;
    final String description;
    int generation;
    int attempts; // resilience4j's consecutive trips, to know its OPEN deadline
    long openedAt;
    long refusals;
    int halfOpenEntries;
    int trips;

    Run(long seed) {
      this.seed = seed;
      this.random = new SplittableRandom(seed);
      this.time = new ManualTimeSource(random.nextLong(0, 1L << 40));
      boolean countWindow = random.nextBoolean();
      int size = countWindow ? random.nextInt(1, 21) : random.nextInt(1, 11);
      float failureRate = threshold();
      float slowRate = threshold();
      slowOn = random.nextBoolean();
      slowNanos = TimeUnit.MILLISECONDS.toNanos(random.nextInt(1, 400));
      int minimumCalls = random.nextInt(1, 26);
      int permitted = random.nextInt(1, 6);
      boolean backoff = random.nextBoolean();
      long openMillis = random.nextInt(1, 5_000);
      long maxMillis = openMillis << random.nextInt(0, 5);
      recordOnlySome = random.nextInt(4) == 0;

      CircuitBreaker.Builder builder =
          CircuitBreaker.builder("oracle")
              .failureRateThreshold(failureRate)
              .slowCallRateThreshold(slowRate)
              .slidingWindow(
                  countWindow
                      ? SlidingWindow.count(size)
                      : SlidingWindow.time(Duration.ofSeconds(size)))
              .minimumCalls(minimumCalls)
              .permittedCallsInHalfOpen(permitted)
              .ignore(IgnoredException.class)
              .timeSource(time);
      CircuitBreakerConfig.Builder config =
          CircuitBreakerConfig.custom()
              .failureRateThreshold(failureRate)
              .slowCallRateThreshold(slowRate)
              // the separate setters, as Spring Boot's properties use them: resilience4j's
              // slidingWindow(size, min, type) shortcut would also lower the HALF_OPEN minimum
              .slidingWindowType(
                  countWindow ? SlidingWindowType.COUNT_BASED : SlidingWindowType.TIME_BASED)
              .slidingWindowSize(size)
              .minimumNumberOfCalls(minimumCalls)
              .permittedNumberOfCallsInHalfOpenState(permitted)
              .ignoreExceptions(IgnoredException.class)
              .clock(new VirtualClock(time));
      if (slowOn) {
        builder.slowCallDuration(Duration.ofNanos(slowNanos));
        config.slowCallDurationThreshold(Duration.ofNanos(slowNanos));
      } else {
        config.slowCallDurationThreshold(Duration.ofDays(3650)); // excluded: ours is off
      }
      if (backoff) {
        builder.openDuration(
            Backoff.exponential(Duration.ofMillis(openMillis), Duration.ofMillis(maxMillis))
                .build());
        waits =
            IntervalFunction.ofExponentialBackoff(
                Duration.ofMillis(openMillis), 2.0, Duration.ofMillis(maxMillis));
      } else {
        builder.openDuration(Duration.ofMillis(openMillis));
        waits = IntervalFunction.of(Duration.ofMillis(openMillis));
      }
      config.waitIntervalFunctionInOpenState(waits);
      if (recordOnlySome) {
        builder.recordOn(RecordedException.class);
        config.recordExceptions(RecordedException.class);
      }
      ours = builder.build();
      theirs = io.github.resilience4j.circuitbreaker.CircuitBreaker.of("oracle", config.build());
      description =
          "seed="
              + seed
              + " window="
              + (countWindow ? "count(" + size + ")" : "time(" + size + "s)")
              + " failureRate="
              + failureRate
              + " slowRate="
              + slowRate
              + " slow="
              + (slowOn ? slowNanos / 1_000_000 + "ms" : "off")
              + " minimumCalls="
              + minimumCalls
              + " permitted="
              + permitted
              + " open="
              + (backoff ? "exp(" + openMillis + "ms.." + maxMillis + "ms)" : openMillis + "ms")
              + " recordOnlySome="
              + recordOnlySome;

      ours.subscribe(
          e -> {
            if (e instanceof CircuitBreakerEvent.StateTransition t) {
              ourTransitions.add(t.from() + "->" + t.to());
            }
          });
      theirs
          .getEventPublisher()
          .onStateTransition(
              e -> {
                var transition = e.getStateTransition();
                theirTransitions.add(transition.getFromState() + "->" + transition.getToState());
                generation++;
                switch (transition.getToState()) {
                  case OPEN -> {
                    attempts++;
                    openedAt = time.nanoTime();
                    trips++;
                  }
                  case HALF_OPEN -> halfOpenEntries++;
                  case FORCED_OPEN -> attempts++;
                  default -> attempts = 0;
                }
              })
          .onReset(
              e -> {
                generation++;
                attempts = 0;
              });
    }

    private float threshold() {
      return switch (random.nextInt(4)) {
        case 0 -> 100f;
        case 1 -> random.nextInt(1, 100) + 0.5f;
        case 2 -> (float) (random.nextDouble() * 99 + 1);
        default -> random.nextInt(1, 101);
      };
    }

    void play() {
      for (int step = 0; step < STEPS; step++) {
        int op = random.nextInt(100);
        if (op < 40) {
          acquire();
        } else if (op < 75) {
          complete();
        } else if (op < 99) {
          advance();
        } else {
          manual();
        }
        compare(step);
      }
      while (!inFlight.isEmpty()) {
        complete();
        compare(STEPS);
      }
    }

    private void acquire() {
      if (inFlight.size() >= 8) {
        complete();
        return;
      }
      boolean theirsPermits = theirs.tryAcquirePermission();
      State expected = expectedState(); // the state that decided, after resilience4j moved on
      Permit permit = null;
      CircuitOpenException refusal = null;
      try {
        permit = ours.acquirePermit();
      } catch (CircuitOpenException e) {
        refusal = e;
        refusals++;
      }
      note(theirsPermits ? "acquire: permitted" : "acquire: refused");
      check(theirsPermits == (refusal == null), () -> "permission differs");
      if (permit != null) {
        inFlight.add(new InFlight(permit, time.nanoTime(), generation));
        return;
      }
      Optional<Duration> retryAfter = refusal.retryAfter();
      State refusedIn = refusal.state();
      check(refusedIn == expected, () -> "refusal state " + refusedIn + " expected " + expected);
      if (expected == State.OPEN) {
        long deadline = openedAt + TimeUnit.MILLISECONDS.toNanos(waits.apply(attempts));
        Duration wait = Duration.ofNanos(deadline - time.nanoTime() + 1);
        check(
            retryAfter.equals(Optional.of(wait)),
            () -> "retryAfter " + retryAfter + " expected " + wait);
      } else {
        check(retryAfter.isEmpty(), () -> "retryAfter " + retryAfter + " in " + expected);
      }
    }

    private void complete() {
      if (inFlight.isEmpty()) {
        acquire();
        return;
      }
      InFlight call = inFlight.remove(random.nextInt(inFlight.size()));
      long duration = time.nanoTime() - call.startNanos;
      int kind = random.nextInt(20);
      boolean givesBack = kind == 0 || kind == 1; // ignored exception, or abandoned
      if (givesBack
          && theirs.getState()
              == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.HALF_OPEN
          && call.generation != generation) {
        kind = 19; // excluded: resilience4j would give a foreign permit to this HALF_OPEN state
      }
      switch (kind) {
        case 0 -> {
          IgnoredException e = new IgnoredException();
          theirs.onError(duration, TimeUnit.NANOSECONDS, e);
          call.ours.onFailure(e);
          note("ignored after " + duration + "ns");
        }
        case 1 -> {
          theirs.releasePermission();
          call.ours.close();
          note("abandoned after " + duration + "ns");
        }
        case 2, 3, 4, 5, 6, 7, 8 -> {
          RuntimeException e = new RecordedException();
          theirs.onError(duration, TimeUnit.NANOSECONDS, e);
          call.ours.onFailure(e);
          note("failed after " + duration + "ns");
        }
        case 9, 10 -> {
          RuntimeException e = new OtherException();
          theirs.onError(duration, TimeUnit.NANOSECONDS, e);
          call.ours.onFailure(e);
          note("failed (other) after " + duration + "ns");
        }
        default -> {
          theirs.onSuccess(duration, TimeUnit.NANOSECONDS);
          call.ours.onSuccess();
          note("succeeded after " + duration + "ns");
        }
      }
    }

    private void advance() {
      long nanos =
          switch (random.nextInt(10)) {
            case 0 -> random.nextLong(0, 6_000_000_000L);
            case 1 -> slowNanos + random.nextLong(-1, 2); // right at the slow-call boundary
            case 2 -> 0;
            default -> random.nextLong(0, 300_000_000L);
          };
      time.advance(Duration.ofNanos(nanos));
      note("advance " + nanos + "ns");
    }

    private void manual() {
      switch (random.nextInt(4)) {
        case 0 -> {
          theirs.transitionToForcedOpenState();
          ours.forceOpen();
          note("forceOpen");
        }
        case 1 -> {
          theirs.transitionToDisabledState();
          ours.disable();
          note("disable");
        }
        case 2 -> {
          theirs.reset();
          ours.reset();
          refusals = 0;
          note("reset");
        }
        default -> {
          theirs.transitionToClosedState();
          ours.transitionToClosed();
          note("transitionToClosed");
        }
      }
    }

    /** resilience4j's state as ours reports it: OPEN past its deadline reads HALF_OPEN. */
    private State expectedState() {
      var state = theirs.getState();
      if (state == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN) {
        long deadline = openedAt + TimeUnit.MILLISECONDS.toNanos(waits.apply(attempts));
        return time.nanoTime() - deadline > 0 ? State.HALF_OPEN : State.OPEN;
      }
      return State.valueOf(state.name());
    }

    private void compare(int step) {
      State expected = expectedState();
      check(ours.state() == expected, () -> "state " + ours.state() + " expected " + expected);
      check(
          ourTransitions.equals(theirTransitions),
          () -> "transitions " + ourTransitions + " expected " + theirTransitions);
      var m = theirs.getMetrics();
      CircuitBreaker.Metrics metrics = ours.metrics();
      Supplier<String> counts =
          () ->
              "buffered/failed/slow/failureRate/slowRate "
                  + metrics.bufferedCalls()
                  + "/"
                  + metrics.failedCalls()
                  + "/"
                  + metrics.slowCalls()
                  + "/"
                  + metrics.failureRate()
                  + "/"
                  + metrics.slowCallRate()
                  + " expected "
                  + m.getNumberOfBufferedCalls()
                  + "/"
                  + m.getNumberOfFailedCalls()
                  + "/"
                  + m.getNumberOfSlowCalls()
                  + "/"
                  + m.getFailureRate()
                  + "/"
                  + m.getSlowCallRate();
      check(
          metrics.bufferedCalls() == m.getNumberOfBufferedCalls()
              && metrics.failedCalls() == m.getNumberOfFailedCalls()
              && metrics.slowCalls() == m.getNumberOfSlowCalls()
              && Float.compare(metrics.failureRate(), m.getFailureRate()) == 0
              && Float.compare(metrics.slowCallRate(), m.getSlowCallRate()) == 0,
          counts);
      check(
          metrics.notPermittedCalls() == refusals, () -> "refusals " + metrics.notPermittedCalls());
      if (step < 0) {
        fail("unreachable");
      }
    }

    private void note(String event) {
      trace.addLast(time.nanoTime() + ": " + event);
      if (trace.size() > 40) {
        trace.removeFirst();
      }
    }

    private void check(boolean condition, Supplier<String> what) {
      if (!condition) {
        fail(what.get() + "\n" + description + "\nlast steps:\n  " + String.join("\n  ", trace));
      }
    }
  }
}
