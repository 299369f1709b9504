package dev.bulwark.resilience.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.TimeSource;
import java.io.IOException;
import java.io.Serial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class AdaptiveBulkheadTest {

  private final ManualTimeSource time = new ManualTimeSource();
  private final List<String> samples = new ArrayList<>();

  /** An algorithm that records its samples and lowers the limit by one on a drop. */
  private final LimitAlgorithm recording =
      (initial, min, max) ->
          new LimitAlgorithm.Limit() {
            int limit = initial;

            @Override
            public int current() {
              return limit;
            }

            @Override
            public int onSample(long start, long rtt, int inflight, boolean dropped) {
              samples.add(
                  "start="
                      + start / 1_000_000
                      + "ms rtt="
                      + rtt / 1_000_000
                      + "ms inflight="
                      + inflight
                      + (dropped ? " dropped" : ""));
              limit = dropped ? limit - 1 : limit;
              return limit;
            }
          };

  private AdaptiveBulkhead.Builder builder() {
    return AdaptiveBulkhead.builder("search")
        .algorithm(recording)
        .minLimit(1)
        .initialLimit(3)
        .maxLimit(10)
        .timeout(Duration.ofMillis(100))
        .timeSource(time);
  }

  @Test
  void hasNetflixLikeDefaults() {
    AdaptiveBulkhead bulkhead = AdaptiveBulkhead.builder("search").build();
    AdaptiveBulkhead.Config config = bulkhead.config();
    assertThat(config.algorithm()).hasToString(LimitAlgorithm.capacity().build().toString());
    assertThat(config.initialLimit()).isEqualTo(20);
    assertThat(config.minLimit()).isEqualTo(1);
    assertThat(config.maxLimit()).isEqualTo(200);
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.maxWait()).isZero();
    assertThat(bulkhead.limit()).isEqualTo(20);
    assertThat(bulkhead.inFlight()).isZero();
    assertThat(bulkhead.availablePermits()).isEqualTo(20);
  }

  @Test
  void feedsEachSuccessfulCallToTheAlgorithmAsASample() throws Exception {
    AdaptiveBulkhead bulkhead = builder().build();
    time.advance(Duration.ofMillis(7));
    String result =
        bulkhead.call(
            () -> {
              assertThat(bulkhead.inFlight()).isEqualTo(1);
              time.advance(Duration.ofMillis(40));
              return "ok";
            });
    assertThat(result).isEqualTo("ok");
    assertThat(samples).containsExactly("start=7ms rtt=40ms inflight=1");
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void aCallSlowerThanTheTimeoutCountsAsADropAndLowersTheLimit() throws Exception {
    AdaptiveBulkhead bulkhead = builder().build();
    bulkhead.call(
        () -> {
          time.advance(Duration.ofMillis(101));
          return "late";
        });
    assertThat(samples).containsExactly("start=0ms rtt=101ms inflight=1 dropped");
    assertThat(bulkhead.limit()).isEqualTo(2);
  }

  @Test
  void aRefusalFurtherDownCountsAsADropAndPassesThroughUnchanged() {
    AdaptiveBulkhead bulkhead = builder().build();
    RejectedException refusal =
        new RejectedException("inner", null, "inner refused") {
          @Serial private static final long serialVersionUID = 1L;
        };
    assertThatThrownBy(
            () ->
                bulkhead.call(
                    () -> {
                      throw refusal;
                    }))
        .isSameAs(refusal);
    assertThat(samples).containsExactly("start=0ms rtt=0ms inflight=1 dropped");
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void aTimeoutFurtherDownCountsAsADrop() {
    AdaptiveBulkhead bulkhead = builder().build();
    var timedOut =
        new dev.bulwark.resilience.timeout.TimeoutExceededException(
            "inner", Duration.ofMillis(50), "timeout 'inner' gave up after 50ms", null);
    assertThatThrownBy(
            () ->
                bulkhead.call(
                    () -> {
                      throw timedOut;
                    }))
        .isSameAs(timedOut);
    assertThat(samples).containsExactly("start=0ms rtt=0ms inflight=1 dropped");
  }

  @Test
  void anOrdinaryFailureWithinTheTimeoutIsNotSampledButReturnsItsPermit() {
    AdaptiveBulkhead bulkhead = builder().build();
    IOException failure = new IOException("404");
    assertThatThrownBy(
            () ->
                bulkhead.call(
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);
    assertThat(samples).isEmpty();
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void theDropPredicateDecidesWhichFailuresAreDrops() {
    AdaptiveBulkhead bulkhead = builder().dropWhen(IOException.class::isInstance).build();
    assertThatThrownBy(
            () ->
                bulkhead.call(
                    () -> {
                      throw new IOException("503");
                    }))
        .isInstanceOf(IOException.class);
    assertThat(samples).containsExactly("start=0ms rtt=0ms inflight=1 dropped");
  }

  @Test
  void aPermitSamplesTheDurationItsCallerMeasured() {
    // Issue 11 item 4: the permit could only time the work on the bulkhead's own clock.
    AdaptiveBulkhead bulkhead = builder().build();
    time.advance(Duration.ofMillis(50));
    Permit fast = bulkhead.acquirePermit();
    Permit slow = bulkhead.acquirePermit();
    time.advance(Duration.ofMillis(500)); // the bulkhead's clock would call both drops
    fast.onSuccess(Duration.ofMillis(30));
    slow.onFailure(Duration.ofMillis(150), new IllegalStateException("late"));
    fast.onSuccess(Duration.ofMillis(1)); // only the first outcome counts
    assertThat(samples)
        .containsExactly(
            "start=520ms rtt=30ms inflight=1", "start=400ms rtt=150ms inflight=2 dropped");
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void permitsReportTheirOutcomeOnceAndAPermitClosedWithoutOutcomeIsNotSampled() {
    AdaptiveBulkhead bulkhead = builder().build();
    Permit a = bulkhead.acquirePermit();
    Permit b = bulkhead.acquirePermit();
    Permit c = bulkhead.acquirePermit();
    assertThat(bulkhead.availablePermits()).isZero();
    time.advance(Duration.ofMillis(20));
    a.onSuccess();
    a.onSuccess();
    a.close();
    b.onFailure(new IllegalStateException("not a drop"));
    c.close();
    c.onSuccess();
    assertThat(samples).containsExactly("start=0ms rtt=20ms inflight=1");
    assertThat(bulkhead.inFlight()).isZero();
  }

  @Test
  void refusesAtTheLimitWithAMessageNamingTheLimits() {
    AdaptiveBulkhead bulkhead = builder().initialLimit(1).build();
    Permit held = bulkhead.acquirePermit();
    assertThatThrownBy(bulkhead::acquirePermit)
        .isInstanceOfSatisfying(
            BulkheadFullException.class,
            e -> {
              assertThat(e.policyName()).isEqualTo("search");
              assertThat(e.limit()).isEqualTo(1);
              assertThat(e.retryAfter()).isEmpty();
            })
        .hasMessage(
            "bulkhead 'search' is at its adaptive limit (1 concurrent calls, at most 10);"
                + " retry later or set a maxWait to queue for a permit");
    held.close();
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
  }

  @Test
  void theRefusalMessageNamesTheLimitInForceWhenTheLimitHasMoved() {
    AdaptiveBulkhead bulkhead = builder().initialLimit(1).algorithm(upByOne()).build();
    Permit first = bulkhead.acquirePermit();
    assertThatThrownBy(bulkhead::acquirePermit)
        .hasMessageStartingWith("bulkhead 'search' is at its adaptive limit (1 concurrent calls");
    first.onSuccess(); // limit 1 → 2

    Permit a = bulkhead.acquirePermit();
    Permit b = bulkhead.acquirePermit();
    assertThatThrownBy(bulkhead::acquirePermit)
        .isInstanceOfSatisfying(
            BulkheadFullException.class, e -> assertThat(e.limit()).isEqualTo(2))
        .hasMessageStartingWith("bulkhead 'search' is at its adaptive limit (2 concurrent calls");
    a.close();
    b.close();
  }

  @Test
  void publishesLimitChangesAndTheOtherEvents() throws Exception {
    AdaptiveBulkhead bulkhead = builder().build();
    List<BulkheadEvent> events = new ArrayList<>();
    bulkhead.subscribe(events::add);
    bulkhead.call(
        () -> {
          time.advance(Duration.ofMillis(150));
          return 1;
        });
    assertThat(events)
        .containsExactly(
            new BulkheadEvent.Permitted("search", 1),
            new BulkheadEvent.LimitChanged("search", 3, 2),
            new BulkheadEvent.Finished("search", Duration.ofMillis(150)));
  }

  @Test
  void keepsTheLimitWithinItsBoundsWhateverTheAlgorithmSays() throws Exception {
    AdaptiveBulkhead bulkhead =
        builder()
            .algorithm(
                (initial, min, max) ->
                    new LimitAlgorithm.Limit() {
                      @Override
                      public int current() {
                        return initial;
                      }

                      @Override
                      public int onSample(long s, long r, int i, boolean d) {
                        return d ? -5 : 1_000;
                      }
                    })
            .minLimit(2)
            .build();
    bulkhead.call(() -> 1);
    assertThat(bulkhead.limit()).isEqualTo(10);
    bulkhead.call(
        () -> {
          time.advance(Duration.ofSeconds(1));
          return 1;
        });
    assertThat(bulkhead.limit()).isEqualTo(2);
  }

  @Test
  void aRisingLimitLetsAQueuedCallIn() {
    AdaptiveBulkhead bulkhead =
        builder().initialLimit(1).maxWait(Duration.ofSeconds(1)).algorithm(upByOne()).build();
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          Permit held = bulkhead.acquirePermit();
          AtomicReference<Object> result = new AtomicReference<>();
          Thread waiter =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        try {
                          result.set(bulkhead.call(() -> "served"));
                        } catch (RuntimeException e) {
                          result.set(e);
                        }
                      });
          time.awaitWaiters(1);
          held.onSuccess(); // limit 1 → 2, and the permit itself goes to the waiter
          waiter.join();
          assertThat(result.get()).isEqualTo("served");
          assertThat(bulkhead.inFlight()).isZero();
        });
  }

  @Test
  void aQueuedCallTimesOutInVirtualTimeWithoutLeakingAPermit() {
    AdaptiveBulkhead bulkhead = builder().initialLimit(1).maxWait(Duration.ofMillis(50)).build();
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          Permit held = bulkhead.acquirePermit();
          AtomicReference<Object> result = new AtomicReference<>();
          Thread waiter =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        try {
                          result.set(bulkhead.call(() -> "served"));
                        } catch (RuntimeException e) {
                          result.set(e);
                        }
                      });
          time.awaitWaiters(1);
          time.advance(Duration.ofMillis(50));
          waiter.join();
          assertThat(result.get())
              .isInstanceOf(BulkheadFullException.class)
              .extracting(e -> ((Exception) e).getMessage())
              .isEqualTo(
                  "bulkhead 'search' is at its adaptive limit (1 concurrent calls, at most 10)"
                      + " and no permit came free within 50ms; retry later");
          held.close();
          assertThat(bulkhead.inFlight()).isZero();
        });
  }

  @Test
  void aCompletionThatRaisesTheLimitNeverShowsTheNewLimitWhileItsOwnPermitIsStillCounted() {
    // The interleaving is held open, not hoped for: a queued caller's wait keeps the gate's lock,
    // and the completion, which must take that lock to hand room to the queue, stops there.
    HoldingWait clock = new HoldingWait();
    AdaptiveBulkhead bulkhead =
        builder()
            .initialLimit(2)
            .maxWait(Duration.ofSeconds(1))
            .algorithm(upByOne())
            .timeSource(clock)
            .build();
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          Permit finishing = bulkhead.acquirePermit();
          Permit other = bulkhead.acquirePermit();
          AtomicReference<Object> queued = new AtomicReference<>();
          Thread waiter =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        try {
                          queued.set(bulkhead.acquirePermit());
                        } catch (RuntimeException e) {
                          queued.set(e);
                        }
                      });
          clock.waiting.await();
          Thread completion = Thread.ofPlatform().start(finishing::onSuccess); // limit 2 -> 3
          while (completion.isAlive() && !clock.lock.hasQueuedThread(completion)) {
            Thread.onSpinWait();
          }
          int limit = bulkhead.limit();
          int inFlight = bulkhead.inFlight();
          clock.timeOut.countDown();
          completion.join();
          waiter.join();
          assertThat(limit).as("the limit the completion moved").isEqualTo(3);
          assertThat(inFlight).as("calls in flight beside the new limit").isEqualTo(1);
          assertThat(queued.get()).isInstanceOf(BulkheadFullException.class); // its wait ran out
          other.close();
          assertThat(bulkhead.inFlight()).isZero();
        });
  }

  /**
   * A time source whose first timed wait keeps the lock it is given (it does not wait on the
   * condition) until told to time out.
   */
  private static final class HoldingWait implements TimeSource {
    final CountDownLatch waiting = new CountDownLatch(1);
    final CountDownLatch timeOut = new CountDownLatch(1);
    volatile ReentrantLock lock;

    @Override
    public long nanoTime() {
      return 0L;
    }

    @Override
    public void sleep(Duration duration) {
      throw new UnsupportedOperationException("the bulkhead never sleeps");
    }

    @Override
    public long awaitNanos(Lock lock, Condition condition, long nanos) throws InterruptedException {
      this.lock = (ReentrantLock) lock;
      waiting.countDown();
      timeOut.await();
      return 0L;
    }
  }

  private static LimitAlgorithm upByOne() {
    return (initial, min, max) ->
        new LimitAlgorithm.Limit() {
          int limit = initial;

          @Override
          public int current() {
            return limit;
          }

          @Override
          public int onSample(long s, long r, int i, boolean d) {
            return ++limit;
          }
        };
  }
}
