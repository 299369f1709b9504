package dev.bulwark.resilience.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker.State;
import dev.bulwark.resilience.circuitbreaker.CircuitBreakerEvent.CallNotPermitted;
import dev.bulwark.resilience.circuitbreaker.CircuitBreakerEvent.Failure;
import dev.bulwark.resilience.circuitbreaker.CircuitBreakerEvent.FailureRateExceeded;
import dev.bulwark.resilience.circuitbreaker.CircuitBreakerEvent.Ignored;
import dev.bulwark.resilience.circuitbreaker.CircuitBreakerEvent.Reset;
import dev.bulwark.resilience.circuitbreaker.CircuitBreakerEvent.SlowCallRateExceeded;
import dev.bulwark.resilience.circuitbreaker.CircuitBreakerEvent.StateTransition;
import dev.bulwark.resilience.circuitbreaker.CircuitBreakerEvent.Success;
import java.io.IOException;
import java.io.Serial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  static final class Boom extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    Boom() {
      super("boom");
    }
  }

  static final class Harmless extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;
  }

  private final ManualTimeSource time = new ManualTimeSource();

  private CircuitBreaker.Builder breaker() {
    return CircuitBreaker.builder("payments")
        .slidingWindow(SlidingWindow.count(4))
        .minimumCalls(4)
        .openDuration(Duration.ofSeconds(10))
        .permittedCallsInHalfOpen(2)
        .timeSource(time);
  }

  private static void succeed(CircuitBreaker breaker) {
    assertThat(breaker.call(() -> "ok")).isEqualTo("ok");
  }

  private static void fail(CircuitBreaker breaker) {
    assertThatThrownBy(() -> breaker.run(CircuitBreakerTest::boom)).isInstanceOf(Boom.class);
  }

  private static void boom() {
    throw new Boom();
  }

  private static List<CircuitBreakerEvent> events(CircuitBreaker breaker) {
    List<CircuitBreakerEvent> events = new ArrayList<>();
    breaker.subscribe(events::add);
    return events;
  }

  private static List<String> transitions(List<CircuitBreakerEvent> events) {
    return events.stream()
        .filter(StateTransition.class::isInstance)
        .map(e -> ((StateTransition) e).from() + "->" + ((StateTransition) e).to())
        .toList();
  }

  private void trip(CircuitBreaker breaker) {
    for (int i = 0; i < 4; i++) {
      fail(breaker);
    }
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void defaultsAreResilience4js() {
    CircuitBreaker.Config config = CircuitBreaker.builder("payments").build().config();

    assertThat(config.failureRateThreshold()).isEqualTo(50);
    assertThat(config.slowCallRateThreshold()).isEqualTo(100);
    assertThat(config.slowCallDuration()).isEmpty();
    assertThat(config.slidingWindow()).isEqualTo(SlidingWindow.count(100));
    assertThat(config.minimumCalls()).isEqualTo(100);
    assertThat(config.openDuration().cappedDelay(1)).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.openDuration().cappedDelay(5)).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.permittedCallsInHalfOpen()).isEqualTo(10);
  }

  @Test
  void opensWhenFailureRateReachesThreshold() {
    CircuitBreaker breaker = breaker().failureRateThreshold(50).build();
    List<CircuitBreakerEvent> events = events(breaker);

    succeed(breaker);
    fail(breaker);
    succeed(breaker);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    fail(breaker); // 2 of 4 = 50 %: at the threshold, as resilience4j's ">="

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(events).contains(new FailureRateExceeded("payments", 50f));
    assertThat(transitions(events)).containsExactly("CLOSED->OPEN");
  }

  @Test
  void judgesNothingBeforeMinimumCallsAndReportsRatesAsMinusOne() {
    CircuitBreaker breaker =
        breaker().slidingWindow(SlidingWindow.count(10)).minimumCalls(5).build();

    for (int i = 0; i < 4; i++) {
      fail(breaker);
    }

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    CircuitBreaker.Metrics metrics = breaker.metrics();
    assertThat(metrics.failureRate()).isEqualTo(-1f);
    assertThat(metrics.slowCallRate()).isEqualTo(-1f);
    assertThat(metrics.bufferedCalls()).isEqualTo(4);
    assertThat(metrics.failedCalls()).isEqualTo(4);
    fail(breaker);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void countWindowJudgesFromItsSizeWhenMinimumCallsIsLarger() {
    CircuitBreaker breaker =
        breaker().slidingWindow(SlidingWindow.count(3)).minimumCalls(100).build();

    fail(breaker);
    fail(breaker);
    fail(breaker);

    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void countWindowForgetsItsOldestOutcome() {
    CircuitBreaker breaker =
        breaker().slidingWindow(SlidingWindow.count(3)).failureRateThreshold(100).build();

    fail(breaker);
    succeed(breaker);
    fail(breaker); // [F S F]
    fail(breaker); // [S F F]
    assertThat(breaker.metrics().failedCalls()).isEqualTo(2);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    fail(breaker); // [F F F]

    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void aLongHealthyRunNeitherHidesNorProlongsTheFailuresThatFollowIt() {
    // a healthy full window records successes without moving (CountWindow's fast path)
    CircuitBreaker breaker =
        breaker()
            .slidingWindow(SlidingWindow.count(10))
            .minimumCalls(10)
            .failureRateThreshold(30)
            .build();
    for (int i = 0; i < 1_000; i++) {
      succeed(breaker);
    }
    fail(breaker);
    for (int i = 0; i < 9; i++) {
      succeed(breaker);
    }
    assertThat(breaker.metrics().failedCalls()).isEqualTo(1); // still the 10th call back
    succeed(breaker);
    assertThat(breaker.metrics().failedCalls()).isZero(); // forgotten exactly 10 calls later
    assertThat(breaker.metrics().bufferedCalls()).isEqualTo(10);

    for (int i = 0; i < 500; i++) {
      succeed(breaker);
    }
    fail(breaker);
    fail(breaker); // 20 %
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    fail(breaker); // 30 %

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(breaker.metrics().failureRate()).isEqualTo(30f);
  }

  @Test
  void timeWindowForgetsCallsOnceTheirSecondHasLeftTheWindow() {
    CircuitBreaker breaker =
        breaker()
            .slidingWindow(SlidingWindow.time(Duration.ofSeconds(2)))
            .minimumCalls(3)
            .failureRateThreshold(100)
            .build();

    time.advance(Duration.ofMillis(900));
    fail(breaker); // second 0
    time.advance(Duration.ofMillis(200));
    fail(breaker); // second 1
    assertThat(breaker.metrics().bufferedCalls()).isEqualTo(2);
    time.advance(Duration.ofMillis(900)); // 2.0 s: second 0 has left the window
    assertThat(breaker.metrics().bufferedCalls()).isEqualTo(1);
    fail(breaker);

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    fail(breaker);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
  }

  @Test
  void refusesWhileOpenSayingWhenCallsArePermittedAgain() {
    CircuitBreaker breaker = breaker().build();
    List<CircuitBreakerEvent> events = events(breaker);
    trip(breaker);
    time.advance(Duration.ofMillis(5_800));
    AtomicInteger ran = new AtomicInteger();

    assertThatThrownBy(() -> breaker.call(ran::incrementAndGet))
        .isInstanceOfSatisfying(
            CircuitOpenException.class,
            e -> {
              assertThat(e)
                  .hasMessage("circuit 'payments' is OPEN; calls permitted again in 4.2s")
                  .isInstanceOf(RejectedException.class);
              assertThat(e.policyName()).isEqualTo("payments");
              assertThat(e.state()).isEqualTo(State.OPEN);
              assertThat(e.retryAfter()).contains(Duration.ofMillis(4_200).plusNanos(1));
              assertThat(e.getStackTrace()).isEmpty();
            });
    assertThat(ran).hasValue(0);
    assertThat(events).contains(new CallNotPermitted("payments", State.OPEN));
    assertThat(breaker.metrics().notPermittedCalls()).isEqualTo(1);
  }

  @Test
  void movesToHalfOpenLazilyWithoutATimerThread() {
    CircuitBreaker breaker = breaker().build();
    List<CircuitBreakerEvent> events = events(breaker);
    trip(breaker);

    time.advance(Duration.ofSeconds(10)); // exactly the open duration: not yet past it
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    time.advance(Duration.ofNanos(1));
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    assertThat(transitions(events)).containsExactly("CLOSED->OPEN");

    succeed(breaker); // the first request installs HALF_OPEN
    assertThat(transitions(events)).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN");
  }

  @Test
  void halfOpenAdmitsExactlyThePermittedCallsThenClosesBelowThresholds() {
    CircuitBreaker breaker = breaker().build();
    List<CircuitBreakerEvent> events = events(breaker);
    trip(breaker);
    time.advance(Duration.ofSeconds(11));

    Permit first = breaker.acquirePermit();
    Permit second = breaker.acquirePermit();
    assertThatThrownBy(breaker::acquirePermit)
        .isInstanceOfSatisfying(
            CircuitOpenException.class,
            e -> {
              assertThat(e)
                  .hasMessage(
                      "circuit 'payments' is HALF_OPEN and all 2 trial calls are in flight;"
                          + " try again once they finish");
              assertThat(e.retryAfter()).isEmpty();
              assertThat(e.state()).isEqualTo(State.HALF_OPEN);
            });
    first.onSuccess();
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    second.onFailure(new Boom()); // 1 of 2 = 50 %: at the threshold

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    time.advance(Duration.ofSeconds(11));
    succeed(breaker);
    succeed(breaker);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(transitions(events))
        .containsExactly(
            "CLOSED->OPEN",
            "OPEN->HALF_OPEN",
            "HALF_OPEN->OPEN",
            "OPEN->HALF_OPEN",
            "HALF_OPEN->CLOSED");
  }

  @Test
  void halfOpenJudgesAfterMinimumCallsWhenThatIsFewerThanThePermittedCalls() {
    CircuitBreaker breaker = breaker().minimumCalls(1).permittedCallsInHalfOpen(5).build();
    fail(breaker);
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    time.advance(Duration.ofSeconds(11));

    succeed(breaker);

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void openDurationGrowsWithConsecutiveTripsAndStartsAgainAfterClosing() {
    CircuitBreaker breaker =
        breaker()
            .openDuration(Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(3)).build())
            .build();
    trip(breaker);
    List<Duration> waits = new ArrayList<>();
    for (int trip = 0; trip < 3; trip++) {
      waits.add(retryAfter(breaker));
      time.advance(waits.getLast());
      fail(breaker); // the trial call fails: open again, for longer
      fail(breaker);
    }
    time.advance(retryAfter(breaker));
    succeed(breaker);
    succeed(breaker);
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    trip(breaker);

    assertThat(waits)
        .containsExactly(
            Duration.ofSeconds(1).plusNanos(1),
            Duration.ofSeconds(2).plusNanos(1),
            Duration.ofSeconds(3).plusNanos(1));
    assertThat(retryAfter(breaker)).isEqualTo(Duration.ofSeconds(1).plusNanos(1));
  }

  private static Duration retryAfter(CircuitBreaker breaker) {
    try {
      breaker.acquirePermit().close();
      throw new AssertionError("permitted");
    } catch (CircuitOpenException e) {
      return e.retryAfter().orElseThrow();
    }
  }

  @Test
  void opensWhenSlowCallRateReachesThresholdOnceASlowCallDurationIsSet()
      throws InterruptedException {
    CircuitBreaker breaker =
        breaker()
            .slowCallDuration(Duration.ofMillis(100))
            .slowCallRateThreshold(50)
            .failureRateThreshold(100)
            .build();
    List<CircuitBreakerEvent> events = events(breaker);

    breaker.call(() -> sleep(Duration.ofMillis(100))); // not strictly longer: fast
    breaker.call(() -> sleep(Duration.ofMillis(101)));
    breaker.call(() -> "fast");
    assertThat(breaker.metrics().slowCalls()).isEqualTo(1);
    breaker.call(() -> sleep(Duration.ofMillis(500)));

    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(events).contains(new SlowCallRateExceeded("payments", 50f));
    assertThat(events)
        .contains(new Success("payments", Duration.ofMillis(101), true))
        .contains(new Success("payments", Duration.ofMillis(100), false));
  }

  private String sleep(Duration duration) throws InterruptedException {
    time.sleep(duration);
    return "slept";
  }

  @Test
  void neverCallsSlowWithoutASlowCallDuration() throws InterruptedException {
    CircuitBreaker breaker = breaker().slowCallRateThreshold(1).build();

    for (int i = 0; i < 4; i++) {
      breaker.call(() -> sleep(Duration.ofHours(1)));
    }

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.metrics().slowCalls()).isZero();
  }

  /** Counts the readings of the clock. */
  static final class CountingTimeSource implements TimeSource {
    final ManualTimeSource time = new ManualTimeSource();
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public long nanoTime() {
      reads.incrementAndGet();
      return time.nanoTime();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
      time.sleep(duration);
    }

    @Override
    public long awaitNanos(Lock lock, Condition condition, long nanos) throws InterruptedException {
      return time.awaitNanos(lock, condition, nanos);
    }
  }

  @Test
  void readsTheClockOnlyWhenSomethingNeedsIt() {
    CountingTimeSource clock = new CountingTimeSource();
    CircuitBreaker countWindow = CircuitBreaker.builder("a").timeSource(clock).build();
    countWindow.call(() -> "ok");
    assertThat(clock.reads).hasValue(0);

    CircuitBreaker timeWindow =
        CircuitBreaker.builder("b")
            .slidingWindow(SlidingWindow.time(Duration.ofSeconds(10)))
            .timeSource(clock)
            .build();
    timeWindow.call(() -> "ok");
    assertThat(clock.reads).hasValue(1);

    CircuitBreaker slowCalls =
        CircuitBreaker.builder("c")
            .slowCallDuration(Duration.ofSeconds(1))
            .timeSource(clock)
            .build();
    slowCalls.call(() -> "ok");
    assertThat(clock.reads).hasValue(3);
  }

  @Test
  void ignoredExceptionsCountForNothingAndGiveTheirTrialPermitBack() {
    CircuitBreaker breaker = breaker().ignore(Harmless.class).build();
    List<CircuitBreakerEvent> events = events(breaker);
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(
              () ->
                  breaker.run(
                      () -> {
                        throw new Harmless();
                      }))
          .isInstanceOf(Harmless.class);
    }
    assertThat(breaker.metrics().bufferedCalls()).isZero();
    assertThat(events).hasSize(10).allMatch(Ignored.class::isInstance);

    trip(breaker);
    time.advance(Duration.ofSeconds(11));
    Permit first = breaker.acquirePermit();
    Permit second = breaker.acquirePermit();
    first.onFailure(new Harmless());
    Permit third = breaker.acquirePermit(); // the ignored call's permit came back
    assertThatThrownBy(breaker::acquirePermit).isInstanceOf(CircuitOpenException.class);
    second.onSuccess();
    third.onSuccess();

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void ignorePredicateWinsOverRecordOn() {
    CircuitBreaker breaker =
        breaker().recordOn(Boom.class).ignore(e -> e.getMessage() != null).build();

    for (int i = 0; i < 4; i++) {
      fail(breaker); // a Boom, but its message makes it ignored
    }

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.metrics().bufferedCalls()).isZero();
  }

  @Test
  void exceptionsThatAreNotRecordedCountAsSuccessesAsInResilience4j() {
    CircuitBreaker breaker =
        breaker()
            .recordOn(IOException.class)
            .recordOn(e -> e instanceof IllegalStateException)
            .build();
    List<CircuitBreakerEvent> events = events(breaker);

    for (int i = 0; i < 4; i++) {
      fail(breaker);
    }
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.metrics().failedCalls()).isZero();
    assertThat(events).hasSize(4).allMatch(Success.class::isInstance);

    assertThatThrownBy(
            () ->
                breaker.run(
                    () -> {
                      throw new IOException("down");
                    }))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(
            () ->
                breaker.run(
                    () -> {
                      throw new IllegalStateException();
                    }))
        .isInstanceOf(IllegalStateException.class); // 2 of the last 4 failed
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    assertThat(events).filteredOn(Failure.class::isInstance).hasSize(2);
  }

  @Test
  void passesTheCallsOwnCheckedExceptionThroughUnchanged() {
    CircuitBreaker breaker = breaker().build();
    IOException failure = new IOException("disk");

    assertThatThrownBy(
            () ->
                breaker.call(
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);
    assertThat(breaker.metrics().failedCalls()).isEqualTo(1);
  }

  @Test
  void forcedOpenRefusesEverythingWithoutARetryAfter() {
    CircuitBreaker breaker = breaker().build();
    List<CircuitBreakerEvent> events = events(breaker);

    breaker.forceOpen();
    time.advance(Duration.ofDays(1));

    assertThat(breaker.state()).isEqualTo(State.FORCED_OPEN);
    assertThatThrownBy(() -> succeed(breaker))
        .isInstanceOfSatisfying(
            CircuitOpenException.class,
            e -> {
              assertThat(e)
                  .hasMessage(
                      "circuit 'payments' is FORCED_OPEN; calls are refused until it is reset or"
                          + " closed by hand");
              assertThat(e.retryAfter()).isEmpty();
            });
    assertThat(transitions(events)).containsExactly("CLOSED->FORCED_OPEN");
  }

  @Test
  void disabledPermitsEverythingAndRecordsNothing() {
    CircuitBreaker breaker = breaker().build();
    breaker.disable();

    for (int i = 0; i < 10; i++) {
      fail(breaker);
    }

    assertThat(breaker.state()).isEqualTo(State.DISABLED);
    assertThat(breaker.metrics().bufferedCalls()).isZero();
    breaker.transitionToClosed();
    assertThat(breaker.state()).isEqualTo(State.CLOSED);
  }

  @Test
  void resetForgetsWindowTripsAndRefusals() {
    CircuitBreaker breaker =
        breaker()
            .openDuration(Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(8)).build())
            .build();
    List<CircuitBreakerEvent> events = events(breaker);
    trip(breaker);
    time.advance(Duration.ofSeconds(2));
    fail(breaker); // both trial calls fail: second trip
    fail(breaker);
    assertThatThrownBy(() -> succeed(breaker)).isInstanceOf(CircuitOpenException.class);

    breaker.reset();

    assertThat(breaker.state()).isEqualTo(State.CLOSED);
    assertThat(breaker.metrics())
        .isEqualTo(new CircuitBreaker.Metrics(State.CLOSED, -1f, -1f, 0, 0, 0, 0));
    assertThat(events.subList(events.size() - 2, events.size()))
        .containsExactly(
            new StateTransition("payments", State.OPEN, State.CLOSED), new Reset("payments"));
    trip(breaker);
    assertThat(retryAfter(breaker)).isEqualTo(Duration.ofSeconds(1).plusNanos(1));
  }

  @Test
  void transitionToClosedEmptiesTheWindowAndKeepsTheRefusalCount() {
    CircuitBreaker breaker = breaker().build();
    trip(breaker);
    assertThatThrownBy(() -> succeed(breaker)).isInstanceOf(CircuitOpenException.class);

    breaker.transitionToClosed();

    assertThat(breaker.metrics())
        .isEqualTo(new CircuitBreaker.Metrics(State.CLOSED, -1f, -1f, 0, 0, 0, 1));
  }

  @Test
  void permitCountsOnlyItsFirstOutcomeAndClosingItRecordsNothing() {
    CircuitBreaker breaker = breaker().build();

    Permit permit = breaker.acquirePermit();
    time.advance(Duration.ofMillis(30));
    permit.onFailure(new Boom());
    permit.onSuccess();
    permit.close();
    try (Permit abandoned = breaker.acquirePermit()) {
      assertThat(abandoned).isNotNull();
    }

    assertThat(breaker.metrics().bufferedCalls()).isEqualTo(1);
    assertThat(breaker.metrics().failedCalls()).isEqualTo(1);
    assertThatThrownBy(() -> breaker.acquirePermit().onFailure(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("failure");
  }

  @Test
  void permitMeasuresTheWorksDurationForEventsAndSlowCalls() {
    CircuitBreaker breaker = breaker().slowCallDuration(Duration.ofMillis(10)).build();
    List<CircuitBreakerEvent> events = events(breaker);

    Permit permit = breaker.acquirePermit();
    time.advance(Duration.ofMillis(25));
    permit.onFailure(new Boom());

    assertThat(events).hasSize(1);
    Failure failure = (Failure) events.getFirst();
    assertThat(failure.elapsed()).isEqualTo(Duration.ofMillis(25));
    assertThat(failure.slow()).isTrue();
    assertThat(breaker.metrics().slowCalls()).isEqualTo(1);
  }

  @Test
  void tryAcquirePermitReturnsEmptyInsteadOfThrowing() {
    CircuitBreaker breaker = breaker().build();
    List<CircuitBreakerEvent> events = events(breaker);
    trip(breaker);

    Optional<Permit> permit = breaker.tryAcquirePermit();

    assertThat(permit).isEmpty();
    assertThat(breaker.metrics().notPermittedCalls()).isEqualTo(1);
    assertThat(events).contains(new CallNotPermitted("payments", State.OPEN));
    time.advance(Duration.ofSeconds(11));
    assertThat(breaker.tryAcquirePermit()).isPresent();
  }

  @Test
  void aThrowingListenerNeitherBreaksTheCallNorStopsOthers() {
    CircuitBreaker breaker = breaker().build();
    breaker.subscribe(
        e -> {
          throw new IllegalStateException("listener");
        });
    List<CircuitBreakerEvent> events = events(breaker);

    succeed(breaker);

    assertThat(events).hasSize(1);
  }

  @Test
  void closingASubscriptionStopsItsEvents() {
    CircuitBreaker breaker = breaker().build();
    List<CircuitBreakerEvent> events = new ArrayList<>();
    var subscription = breaker.subscribe(events::add);
    succeed(breaker);

    subscription.close();
    succeed(breaker);

    assertThat(events).hasSize(1);
  }

  @Test
  void metricsInOpenShowTheWindowThatTripped() {
    CircuitBreaker breaker = breaker().build();
    succeed(breaker);
    fail(breaker);
    fail(breaker);
    fail(breaker);

    assertThat(breaker.metrics())
        .isEqualTo(new CircuitBreaker.Metrics(State.OPEN, 75f, 0f, 4, 3, 0, 0));
    time.advance(Duration.ofSeconds(11));
    assertThat(breaker.metrics().state()).isEqualTo(State.HALF_OPEN);
  }

  @Test
  void describesItself() {
    CircuitBreaker breaker = breaker().build();

    assertThat(breaker).hasToString("CircuitBreaker[payments, CLOSED]");
    assertThat(breaker.name()).isEqualTo("payments");
  }

  @Test
  void aPermitRecordsAnExternallyMeasuredDuration() {
    // Issue 11 item 4: code that timed the work itself could not say "succeeded after d".
    CircuitBreaker breaker =
        breaker().slowCallDuration(Duration.ofSeconds(1)).slowCallRateThreshold(50).build();
    List<CircuitBreakerEvent> events = new ArrayList<>();
    breaker.subscribe(events::add);

    breaker.acquirePermit().onSuccess(Duration.ofSeconds(2));
    breaker.acquirePermit().onSuccess(Duration.ofMillis(10));
    breaker.acquirePermit().onFailure(Duration.ofSeconds(3), new IOException("down"));
    Permit fast = breaker.acquirePermit();
    time.advance(Duration.ofSeconds(5)); // the breaker's own clock says slow; the caller knows
    fast.onSuccess(Duration.ofMillis(20));
    fast.onSuccess(Duration.ofSeconds(9)); // only the first outcome counts

    assertThat(events)
        .filteredOn(e -> e instanceof Success || e instanceof Failure)
        .map(
            e ->
                e instanceof Success s
                    ? s.elapsed() + "/" + s.slow()
                    : "F" + ((Failure) e).elapsed())
        .containsExactly("PT2S/true", "PT0.01S/false", "FPT3S", "PT0.02S/false");
    assertThat(breaker.metrics().slowCalls()).isEqualTo(2);
    assertThat(breaker.metrics().failedCalls()).isEqualTo(1);
    assertThat(breaker.state()).isEqualTo(State.OPEN); // slow rate 50 % of 4 calls
  }

  @Test
  void aPermitRefusesANegativeOrNullMeasuredDurationAndStaysOpen() {
    CircuitBreaker breaker = breaker().build();
    Permit permit = breaker.acquirePermit();

    assertThatThrownBy(() -> permit.onSuccess(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("elapsed must not be negative, was -1ms");
    assertThatThrownBy(() -> permit.onSuccess((Duration) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("elapsed");
    assertThatThrownBy(() -> permit.onFailure(Duration.ZERO, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("failure");
    permit.onFailure(Duration.ZERO, new IOException("down"));
    assertThat(breaker.metrics().failedCalls()).isEqualTo(1);
  }

  @Test
  void classifiesACompletionOrExecutionExceptionByItsCauseAndRethrowsItAsThrown() {
    // Issue 11 item 14: a wrapped IOException was recorded as what its wrapper is, not as I/O.
    CircuitBreaker breaker = breaker().recordOn(IOException.class).ignore(Harmless.class).build();
    java.util.concurrent.CompletionException io =
        new java.util.concurrent.CompletionException(new IOException("down"));
    java.util.concurrent.CompletionException harmless =
        new java.util.concurrent.CompletionException(new Harmless());
    java.util.concurrent.CompletionException other =
        new java.util.concurrent.CompletionException(new IllegalStateException("bug"));
    java.util.concurrent.ExecutionException nested =
        new java.util.concurrent.ExecutionException(io);

    assertThatThrownBy(
            () ->
                breaker.call(
                    () -> {
                      throw io;
                    }))
        .isSameAs(io);
    assertThatThrownBy(
            () ->
                breaker.call(
                    () -> {
                      throw harmless;
                    }))
        .isSameAs(harmless);
    assertThatThrownBy(
            () ->
                breaker.call(
                    () -> {
                      throw other;
                    }))
        .isSameAs(other);
    assertThatThrownBy(
            () ->
                breaker.call(
                    () -> {
                      throw nested;
                    }))
        .isSameAs(nested);

    assertThat(breaker.metrics().failedCalls()).isEqualTo(2); // io and nested
    assertThat(breaker.metrics().bufferedCalls()).isEqualTo(3); // harmless was ignored
  }
}
