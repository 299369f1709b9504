package dev.bulwark.resilience.ratelimit;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofNanos;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Pipeline;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.TimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private final ManualTimeSource time = new ManualTimeSource();

  private RateLimiter limiter(int permits, Duration period, int burst) {
    return RateLimiter.builder("api").rate(permits, period).burst(burst).timeSource(time).build();
  }

  /**
   * Regression: built as the clock read Long.MAX_VALUE, a limiter of one permit per nanosecond
   * stored its next arrival time as the "absent" marker's neighbour and refused a caller arriving
   * exactly at the rate one nanosecond later (found by the steady-arrival property).
   */
  @Test
  void aSteadyArrivalIsAdmittedAcrossTheClocksWrapAround() {
    for (long start : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE}) {
      ManualTimeSource clock = new ManualTimeSource(start);
      RateLimiter limiter =
          RateLimiter.builder("wrap")
              .rate(1000, Duration.ofNanos(1000))
              .burst(1)
              .timeSource(clock)
              .build();
      for (int i = 0; i < 6; i++) {
        assertThat(limiter.tryAcquire(1)).as("start %d, arrival %d", start, i).isTrue();
        clock.advance(Duration.ofNanos(1));
      }
    }
  }

  @Test
  void grantsTheBurstAtOnceThenOnePermitPerInterval() {
    RateLimiter limiter = limiter(100, ofSeconds(1), 5);
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.tryAcquire()).isTrue();
    }
    assertThat(limiter.tryAcquire()).isFalse();
    time.advance(ofNanos(9_999_999));
    assertThat(limiter.tryAcquire()).isFalse();
    time.advance(ofNanos(1));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void burstDefaultsToThePermitsOfOnePeriod() {
    RateLimiter limiter = RateLimiter.builder("api").rate(100, ofSeconds(1)).build();
    assertThat(limiter.config())
        .isEqualTo(new RateLimiter.Config(100, ofSeconds(1), 100, Duration.ZERO));
    assertThat(limiter.config().refillTime()).isEqualTo(ofSeconds(1));
    assertThat(limiter.name()).isEqualTo("api");
  }

  @Test
  void availablePermitsCountsTheBucketAndNeverGoesNegative() throws InterruptedException {
    RateLimiter limiter = limiter(10, ofSeconds(1), 10);
    assertThat(limiter.availablePermits()).isEqualTo(10);
    assertThat(limiter.tryAcquire(7)).isTrue();
    assertThat(limiter.availablePermits()).isEqualTo(3);
    time.advance(ofMillis(250)); // 2.5 permits back
    assertThat(limiter.availablePermits()).isEqualTo(5);
    limiter.acquire(10, ofSeconds(5)); // reserves beyond the bucket, then waits
    assertThat(limiter.availablePermits()).isZero();
    time.advance(ofSeconds(10));
    assertThat(limiter.availablePermits()).isEqualTo(10);
  }

  @Test
  void takesAllOrNothingOfSeveralPermits() {
    RateLimiter limiter = limiter(10, ofSeconds(1), 10);
    assertThat(limiter.tryAcquire(8)).isTrue();
    assertThat(limiter.tryAcquire(3)).isFalse();
    assertThat(limiter.availablePermits()).isEqualTo(2);
    assertThat(limiter.tryAcquire(2)).isTrue();
  }

  @Test
  void refusesAtOnceWithoutSleepingWhenThePermitWouldComeTooLate() {
    RateLimiter limiter = limiter(80, ofSeconds(1), 1); // one permit every 12.5ms
    assertThat(limiter.tryAcquire()).isTrue();
    time.advance(ofMillis(2));

    assertThatThrownBy(() -> limiter.acquire(1, ofMillis(5)))
        .isInstanceOfSatisfying(
            RateLimitedException.class,
            e -> {
              assertThat(e.retryAfter()).contains(ofNanos(10_500_000));
              assertThat(e.policyName()).isEqualTo("api");
              assertThat(e.permits()).isEqualTo(1);
              assertThat(e)
                  .hasMessage(
                      "rate limiter 'api' refused 1 permit; next permit in 10.5ms, beyond the max"
                          + " wait of 5ms");
            });
    assertThat(time.sleeps()).isEmpty();
    assertThat(time.elapsed()).isEqualTo(ofMillis(2));
  }

  @Test
  void refusalAsAPolicyNamesTheLimiterAndTheWait() {
    RateLimiter limiter = limiter(80, ofSeconds(1), 1);
    assertThat(limiter.tryAcquire()).isTrue();
    AtomicInteger ran = new AtomicInteger();
    assertThatThrownBy(() -> limiter.run(ran::incrementAndGet))
        .isInstanceOf(RejectedException.class)
        .hasMessage("rate limiter 'api' refused 1 permit; next permit in 12.5ms");
    assertThat(ran).hasValue(0);
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void refusalOfSeveralPermitsSaysWhenAllOfThemAreReady() {
    RateLimiter limiter = limiter(10, ofSeconds(1), 10);
    assertThat(limiter.tryAcquire(10)).isTrue();
    assertThatThrownBy(() -> limiter.acquire(3, Duration.ZERO))
        .hasMessage("rate limiter 'api' refused 3 permits; next 3 permits in 300ms");
  }

  @Test
  void waitsThroughTheTimeSourceWhenThePermitComesWithinTheMaxWait() throws InterruptedException {
    RateLimiter limiter = limiter(80, ofSeconds(1), 1);
    assertThat(limiter.tryAcquire()).isTrue();
    limiter.acquire(1, ofMillis(12_500));
    assertThat(time.sleeps()).containsExactly(ofNanos(12_500_000));
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void waitersReservePermitsSoTheyQueueInsteadOfOversubscribing() throws InterruptedException {
    RateLimiter limiter = limiter(10, ofSeconds(1), 2);
    TimeSource frozen = new FrozenSleeps(time);
    RateLimiter shared =
        RateLimiter.builder("api").rate(10, ofSeconds(1)).burst(2).timeSource(frozen).build();
    assertThat(limiter.tryAcquire(2)).isTrue(); // unrelated limiter, same clock
    assertThat(shared.tryAcquire(2)).isTrue();
    // Three callers arrive at the same instant; sleeps do not move the clock, so each sees the
    // reservations of the ones before it.
    shared.acquire(1, ofSeconds(1));
    shared.acquire(1, ofSeconds(1));
    shared.acquire(1, ofSeconds(1));
    assertThat(((FrozenSleeps) frozen).sleeps)
        .containsExactly(ofMillis(100), ofMillis(200), ofMillis(300));
    assertThatThrownBy(() -> shared.acquire(1, ofMillis(399)))
        .isInstanceOfSatisfying(
            RateLimitedException.class, e -> assertThat(e.retryAfter()).contains(ofMillis(400)));
  }

  @Test
  void retryAfterIsExactToTheNanosecondForAFractionalInterval() {
    RateLimiter limiter = limiter(3, ofSeconds(1), 2); // 333,333,333⅓ ns per permit
    assertThat(limiter.tryAcquire(2)).isTrue();
    RateLimitedException e = refusal(limiter);
    assertThat(e.retryAfter()).contains(ofNanos(333_333_334));
    time.advance(ofNanos(333_333_333));
    assertThat(limiter.tryAcquire()).isFalse();
    time.advance(ofNanos(1));
    assertThat(limiter.tryAcquire()).isTrue();
    // while the bucket owes permits the fractions add up exactly: the next one is due at
    // 666,666,666⅔ ns, so 333,333,333 ns later, not 333,333,334
    assertThat(refusal(limiter).retryAfter()).contains(ofNanos(333_333_333));
    time.advance(ofNanos(333_333_332));
    assertThat(limiter.tryAcquire()).isFalse();
    time.advance(ofNanos(1));
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void aFullBucketDoesNotSaveUpTimeBeyondItsBurst() {
    RateLimiter limiter = limiter(3, ofSeconds(1), 1);
    assertThat(limiter.tryAcquire()).isTrue();
    time.advance(ofSeconds(10));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(refusal(limiter).retryAfter()).contains(ofNanos(333_333_334));
  }

  @Test
  void interruptedWaiterGivesItsReservationBack() {
    InterruptingSleeps source = new InterruptingSleeps(time);
    RateLimiter limiter =
        RateLimiter.builder("api").rate(10, ofSeconds(1)).burst(1).timeSource(source).build();
    List<RateLimiterEvent> events = new ArrayList<>();
    limiter.subscribe(events::add);
    assertThat(limiter.tryAcquire()).isTrue();

    assertThatThrownBy(() -> limiter.acquire(1, ofSeconds(1)))
        .isInstanceOf(InterruptedException.class);

    assertThat(events).contains(new RateLimiterEvent.Interrupted("api", 1));
    // the reservation is gone: the next permit is due 100ms after the first, not 200ms
    time.advance(ofMillis(100));
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void aWaitingThreadGoesAheadWhenTheTimeComes() {
    RateLimiter limiter =
        RateLimiter.builder("api")
            .rate(10, ofSeconds(1))
            .burst(1)
            .timeSource(new BlockingSleeps(time))
            .build();
    assertThat(limiter.tryAcquire()).isTrue();
    AtomicInteger acquired = new AtomicInteger();
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          Thread waiter =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        try {
                          limiter.acquire(1, ofSeconds(1));
                          acquired.incrementAndGet();
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                      });
          time.awaitWaiters(1);
          time.advance(ofMillis(99));
          assertThat(acquired).hasValue(0);
          time.advance(ofMillis(1));
          waiter.join();
          assertThat(waiter.isAlive()).isFalse();
        });
    assertThat(acquired).hasValue(1);
    assertThat(limiter.tryAcquire()).isFalse(); // the waiter's permit was used, not given back
  }

  @Test
  void aThreadInterruptedWhileItWaitsGivesItsReservationBack() {
    RateLimiter limiter =
        RateLimiter.builder("api")
            .rate(10, ofSeconds(1))
            .burst(1)
            .timeSource(new BlockingSleeps(time))
            .build();
    assertThat(limiter.tryAcquire()).isTrue();
    List<Throwable> failures = new ArrayList<>();
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          Thread waiter =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        try {
                          limiter.acquire(1, ofSeconds(1));
                        } catch (InterruptedException e) {
                          failures.add(e);
                        }
                      });
          time.awaitWaiters(1);
          time.advance(ofMillis(50));
          waiter.interrupt();
          waiter.join();
          assertThat(waiter.isAlive()).isFalse();
        });
    assertThat(failures).singleElement().isInstanceOf(InterruptedException.class);
    time.advance(ofMillis(50)); // 100ms after the first permit: the second is free again
    assertThat(limiter.tryAcquire()).isTrue();
  }

  @Test
  void interruptedCallerTakesNoPermitsAtAll() {
    RateLimiter limiter = limiter(10, ofSeconds(1), 1);
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> limiter.acquire(1, ofSeconds(1)))
        .isInstanceOf(InterruptedException.class);
    assertThat(Thread.interrupted()).isFalse();
    assertThat(limiter.availablePermits()).isEqualTo(1);
  }

  @Test
  void interruptedCallThroughThePolicyIsCancelledNotRefusedWithTheInterruptStatusSet() {
    RateLimiter limiter =
        RateLimiter.builder("api")
            .rate(10, ofSeconds(1))
            .burst(1)
            .maxWait(ofSeconds(1))
            .timeSource(new InterruptingSleeps(time))
            .build();
    limiter.callCounts().start();
    assertThat(limiter.tryAcquire()).isTrue();
    try {
      assertThatThrownBy(() -> limiter.call(() -> "ran"))
          .isInstanceOf(CancellationException.class)
          .hasCauseInstanceOf(InterruptedException.class)
          .hasMessage(
              "rate limiter 'api' stopped waiting for a permit: the thread was interrupted; the"
                  + " call did not run");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
      assertThat(limiter.callCounts().count(RateLimitOutcome.REFUSED)).isZero();
    } finally {
      Thread.interrupted();
    }
    // the reservation was given back: the permit after the first is the next one, as before
    assertThat(limiter.decide(1).retryAfter()).isEqualTo(ofMillis(100));
  }

  @Test
  void asAPolicyWaitsUpToItsMaxWaitAndPassesTheCallsOwnExceptionsThrough() throws Exception {
    RateLimiter limiter =
        RateLimiter.builder("api")
            .rate(10, ofSeconds(1))
            .burst(1)
            .maxWait(ofMillis(100))
            .timeSource(time)
            .build();
    assertThat(Pipeline.of(limiter).call(() -> "first")).isEqualTo("first");
    assertThat(limiter.call(() -> "second")).isEqualTo("second");
    assertThat(time.sleeps()).containsExactly(ofMillis(100));
    time.advance(ofMillis(100));
    assertThatThrownBy(
            () ->
                limiter.call(
                    () -> {
                      throw new IOException("upstream down");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("upstream down");
  }

  @Test
  void publishesEventsOnlyToCurrentListeners() throws InterruptedException {
    RateLimiter limiter = limiter(10, ofSeconds(1), 1);
    List<RateLimiterEvent> events = new ArrayList<>();
    var subscription = limiter.subscribe(events::add);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    limiter.acquire(1, ofSeconds(1));
    subscription.close();
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(events)
        .containsExactly(
            new RateLimiterEvent.Acquired("api", 1, Duration.ZERO),
            new RateLimiterEvent.Refused("api", 1, ofMillis(100)),
            new RateLimiterEvent.Acquired("api", 1, ofMillis(100)));
  }

  @Test
  void refusesMorePermitsThanTheBurstBecauseTheyCouldNeverBeGranted() {
    RateLimiter limiter = limiter(10, ofSeconds(1), 4);
    assertThatThrownBy(() -> limiter.tryAcquire(5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "permits must be at most the burst of 4 (more could never be granted at once), was 5");
    assertThatThrownBy(() -> limiter.acquire(5, ofSeconds(10)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> limiter.tryAcquire(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("permits must be at least 1, was 0");
    assertThatThrownBy(() -> limiter.acquire(1, ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxWait must not be negative, was -1ms");
    assertThatThrownBy(() -> limiter.acquire(1, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("maxWait");
    assertThat(limiter.availablePermits()).isEqualTo(4);
  }

  @Test
  void keepsItsStateInACustomStoreUnderItsName() {
    List<String> keys = new ArrayList<>();
    RateLimiterStore<String> shared = RateLimiterStore.inMemory(time);
    RateLimiterStore<String> store =
        new RateLimiterStore<>() {
          @Override
          public long acquire(String key, Limit limit, int permits, long maxWaitNanos) {
            keys.add(key);
            assertThat(limit.name()).isEqualTo("api");
            assertThat(limit.burst()).isEqualTo(2);
            return shared.acquire(key, limit, permits, maxWaitNanos);
          }

          @Override
          public void refund(String key, Limit limit, int permits) {
            shared.refund(key, limit, permits);
          }

          @Override
          public int availablePermits(String key, Limit limit) {
            keys.add(key);
            return shared.availablePermits(key, limit);
          }
        };
    RateLimiter limiter =
        RateLimiter.builder("api")
            .rate(10, ofSeconds(1))
            .burst(2)
            .store(store)
            .timeSource(time)
            .build();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(limiter.availablePermits()).isZero();
    assertThat(keys).containsOnly("api");
  }

  /**
   * Regression: with the old get/compare-and-set seam each limiter counted time from its own build
   * instant, so two limiters sharing a store, built a minute apart with burst 2, granted 4 permits
   * at one instant. The store now owns the clock and its origin.
   */
  @Test
  void twoLimitersBuiltAMinuteApartShareOneBucketOfAStore() {
    RateLimiterStore<String> store = RateLimiterStore.inMemory(time);
    RateLimiter first =
        RateLimiter.builder("api")
            .rate(1, ofSeconds(1))
            .burst(2)
            .store(store)
            .timeSource(time)
            .build();
    time.advance(ofSeconds(60));
    RateLimiter second =
        RateLimiter.builder("api")
            .rate(1, ofSeconds(1))
            .burst(2)
            .store(store)
            .timeSource(time)
            .build();
    int granted = 0;
    for (int i = 0; i < 4; i++) {
      granted += second.tryAcquire() ? 1 : 0;
    }
    for (int i = 0; i < 4; i++) {
      granted += first.tryAcquire() ? 1 : 0;
    }
    assertThat(granted).isEqualTo(2);
    time.advance(ofSeconds(1));
    assertThat(first.tryAcquire()).isTrue();
    assertThat(second.tryAcquire()).isFalse();
  }

  /**
   * Regression, found by RateLimiterLincheckTest: a decision read the clock before the bucket, so a
   * thread that read the clock (0ns) and was then held up while the clock moved to 13ns and another
   * caller took a permit judged the value that caller stored against its old reading: "refused,
   * retry after 23ns", although the bucket had both permits at 0ns and would have them 10ns after
   * 13ns. Here the other caller runs inside the clock reading itself.
   */
  @Test
  void aDecisionIsNotJudgedAtAClockReadOlderThanTheBucket() {
    ManualTimeSource manual = new ManualTimeSource();
    InterleavingClock clock = new InterleavingClock(manual);
    RateLimiter limiter =
        RateLimiter.builder("api").rate(1, ofNanos(10)).burst(2).timeSource(clock).build();
    clock.duringNextReading(
        () -> {
          manual.advance(ofNanos(13));
          assertThat(limiter.tryAcquire()).isTrue();
        });
    Decision decision = limiter.decide(2);
    // linearizable answers: granted at 0ns (before the other caller) or, after it, 10ns to wait
    assertThat(decision.retryAfter()).isIn(Duration.ZERO, ofNanos(10));
    assertThat(clock.ran()).as("the other caller ran").isTrue();
  }

  @Test
  void decideGrantsWithoutAllocatingAndRefusesWithTheExactWait() {
    RateLimiter limiter =
        RateLimiter.builder("api").rate(3, ofSeconds(1)).burst(2).timeSource(time).build();
    assertThat(limiter.decide(2)).isSameAs(Decision.GRANTED);
    Decision refused = limiter.decide(1);
    assertThat(refused.granted()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofNanos(333_333_334));
    assertThat(time.sleeps()).isEmpty();
    time.advance(Duration.ofNanos(333_333_333));
    assertThat(limiter.decide(1).granted()).isFalse();
    time.advance(Duration.ofNanos(1));
    assertThat(limiter.decide(1)).isSameAs(Decision.GRANTED);
    assertThatThrownBy(() -> limiter.decide(3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most the burst of 2");
    assertThat(refused).hasToString("Decision[refused, retry after 333.333ms]");
  }

  @Test
  void survivesTheTimeSourceWrappingAround() {
    ManualTimeSource late = new ManualTimeSource(Long.MAX_VALUE - 5_000_000);
    RateLimiter limiter =
        RateLimiter.builder("api").rate(100, ofSeconds(1)).burst(1).timeSource(late).build();
    assertThat(limiter.tryAcquire()).isTrue();
    late.advance(ofMillis(9));
    assertThat(limiter.tryAcquire()).isFalse();
    late.advance(ofMillis(1));
    assertThat(limiter.tryAcquire()).isTrue();
    late.advance(ofSeconds(3600));
    assertThat(limiter.availablePermits()).isEqualTo(1);
  }

  @Test
  void aBucketIdleForYearsIsFull() {
    RateLimiter limiter = limiter(3, ofSeconds(1), 2);
    assertThat(limiter.tryAcquire(2)).isTrue();
    time.advance(Duration.ofDays(365 * 200));
    assertThat(limiter.availablePermits()).isEqualTo(2);
    assertThat(limiter.tryAcquire(2)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void grantsExactlyTheBurstToManyThreadsRacingAtOneInstant() {
    int threads = 8;
    int attemptsEach = 2_000;
    RateLimiter limiter = limiter(1_000, ofSeconds(1), 5_000);
    AtomicInteger granted = new AtomicInteger();
    List<Thread> started = new ArrayList<>();
    assertTimeoutPreemptively(
        ofSeconds(20),
        () -> {
          CountDownLatch go = new CountDownLatch(1);
          for (int t = 0; t < threads; t++) {
            started.add(
                Thread.ofPlatform()
                    .start(
                        () -> {
                          try {
                            go.await();
                          } catch (InterruptedException e) {
                            return;
                          }
                          for (int i = 0; i < attemptsEach; i++) {
                            if (limiter.tryAcquire()) {
                              granted.incrementAndGet();
                            }
                          }
                        }));
          }
          go.countDown();
          for (Thread t : started) {
            t.join();
          }
        });
    assertThat(granted).hasValue(5_000);
    assertThat(started).noneMatch(Thread::isAlive);
  }

  private static RateLimitedException refusal(RateLimiter limiter) {
    try {
      limiter.acquire(1, Duration.ZERO);
    } catch (RateLimitedException e) {
      return e;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a refusal");
  }

  /** Reads the clock of another source but records sleeps without advancing it. */
  private static final class FrozenSleeps implements TimeSource {
    final ManualTimeSource clock;
    final List<Duration> sleeps = new ArrayList<>();

    FrozenSleeps(ManualTimeSource clock) {
      this.clock = clock;
    }

    @Override
    public long nanoTime() {
      return clock.nanoTime();
    }

    @Override
    public void sleep(Duration duration) {
      sleeps.add(duration);
    }

    @Override
    public long awaitNanos(Lock lock, Condition condition, long nanos) throws InterruptedException {
      return clock.awaitNanos(lock, condition, nanos);
    }
  }

  /** A source whose sleeps really block until the manual clock is advanced past their end. */
  private static final class BlockingSleeps implements TimeSource {
    final ManualTimeSource clock;
    final ReentrantLock lock = new ReentrantLock();
    final Condition never = lock.newCondition();

    BlockingSleeps(ManualTimeSource clock) {
      this.clock = clock;
    }

    @Override
    public long nanoTime() {
      return clock.nanoTime();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
      lock.lockInterruptibly();
      try {
        long left = duration.toNanos();
        while (left > 0) {
          left = clock.awaitNanos(lock, never, left);
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public long awaitNanos(Lock lock, Condition condition, long nanos) throws InterruptedException {
      return clock.awaitNanos(lock, condition, nanos);
    }
  }

  /** A source whose every sleep is interrupted before it ends. */
  private static final class InterruptingSleeps implements TimeSource {
    final ManualTimeSource clock;

    InterruptingSleeps(ManualTimeSource clock) {
      this.clock = clock;
    }

    @Override
    public long nanoTime() {
      return clock.nanoTime();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
      throw new InterruptedException("interrupted while sleeping " + duration);
    }

    @Override
    public long awaitNanos(Lock lock, Condition condition, long nanos) throws InterruptedException {
      return clock.awaitNanos(lock, condition, nanos);
    }
  }
}
