package dev.bulwark.resilience.hedge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Pipeline;
import dev.bulwark.resilience.retry.RetryBudget;
import dev.bulwark.resilience.timeout.Deadline;
import dev.bulwark.resilience.timeout.Timeout;
import dev.bulwark.resilience.timeout.TimeoutExceededException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HedgeTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private final ManualTimeSource time = new ManualTimeSource();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final ThreadFactory recording =
      task -> {
        Thread t = Thread.ofVirtual().unstarted(task);
        threads.add(t);
        return t;
      };
  private final List<HedgeEvent> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void leavesNoThreadBehind() throws InterruptedException {
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(5));
      assertThat(t.isAlive()).as("%s ended", t).isFalse();
    }
    assertThat(Thread.interrupted()).isFalse();
  }

  private Hedge.Builder hedge() {
    return Hedge.builder("quotes")
        .delay(Duration.ofMillis(100))
        .timeSource(time)
        .threadFactory(recording);
  }

  private Hedge subscribed(Hedge hedge) {
    hedge.subscribe(events::add);
    return hedge;
  }

  /** Runs a hedged call on a thread of its own so that the test thread can move the time. */
  private static final class Caller<T> {
    final AtomicReference<T> result = new AtomicReference<>();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final AtomicBoolean interruptedAfter = new AtomicBoolean();
    final Thread thread;

    Caller(Hedge hedge, Call<T, ?> call) {
      thread =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      result.set(hedge.call(call));
                    } catch (Throwable t) {
                      failure.set(t);
                    }
                    interruptedAfter.set(Thread.interrupted());
                  });
    }

    Caller<T> join() throws InterruptedException {
      thread.join();
      return this;
    }
  }

  /**
   * Attempt n (from 1) counts down {@code entered[n-1]}, then blocks until interrupted, counting
   * the interrupt in {@code interrupted}.
   */
  private static final class Attempts {
    final AtomicInteger count = new AtomicInteger();
    final AtomicInteger interrupted = new AtomicInteger();
    final CountDownLatch[] entered = {
      new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1)
    };

    int begin() {
      int n = count.incrementAndGet();
      entered[n - 1].countDown();
      return n;
    }

    void block() throws InterruptedException {
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.incrementAndGet();
        throw e;
      }
    }
  }

  @Test
  void aFastFirstAttemptStartsNoHedge() {
    Hedge hedge = subscribed(hedge().build());
    assertThat(hedge.call(() -> "quote")).isEqualTo("quote");
    assertThat(threads).hasSize(1);
    assertThat(events).containsExactly(new HedgeEvent.Succeeded("quotes", 1, 1, Duration.ZERO));
  }

  @Test
  void startsASecondAttemptAfterTheDelayAndTheFirstSuccessWins() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Hedge hedge = subscribed(hedge().build());
          Attempts attempts = new Attempts();
          Caller<String> caller =
              new Caller<>(
                  hedge,
                  () -> {
                    int n = attempts.begin();
                    if (n == 1) {
                      attempts.block();
                    }
                    return "attempt " + n;
                  });
          attempts.entered[0].await();
          time.awaitWaiters(1); // the caller waits for the delay
          time.advance(Duration.ofMillis(99));
          assertThat(attempts.count).hasValue(1);
          time.advance(Duration.ofMillis(1));
          caller.join();
          assertThat(caller.result).hasValue("attempt 2");
          for (Thread t : threads) {
            t.join();
          }
          assertThat(attempts.interrupted).as("the loser was interrupted").hasValue(1);
          assertThat(events)
              .containsExactly(
                  new HedgeEvent.HedgeStarted("quotes", 2, Duration.ofMillis(100)),
                  new HedgeEvent.Succeeded("quotes", 2, 2, Duration.ofMillis(100)));
        });
  }

  @Test
  void startsAtMostMaxExtraAttemptsEachAfterTheDelay() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Hedge hedge = hedge().maxExtraAttempts(2).build();
          Attempts attempts = new Attempts();
          CountDownLatch release = new CountDownLatch(1);
          Caller<String> caller =
              new Caller<>(
                  hedge,
                  () -> {
                    int n = attempts.begin();
                    if (n < 3) {
                      attempts.block();
                    }
                    release.await();
                    return "attempt " + n;
                  });
          attempts.entered[0].await();
          time.awaitWaiters(1);
          time.advance(Duration.ofMillis(100));
          attempts.entered[1].await();
          time.awaitWaiters(1);
          time.advance(Duration.ofMillis(100));
          attempts.entered[2].await();
          time.advance(Duration.ofSeconds(10)); // no fourth attempt, however long it takes
          release.countDown();
          caller.join();
          assertThat(caller.result).hasValue("attempt 3");
          assertThat(threads).hasSize(3);
          for (Thread t : threads) {
            t.join();
          }
          assertThat(attempts.interrupted).hasValue(2);
        });
  }

  @Test
  void throwsTheLastFailureUnchangedWhenEveryAttemptFails() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Hedge hedge = subscribed(hedge().build());
          Attempts attempts = new Attempts();
          CountDownLatch releaseFirst = new CountDownLatch(1);
          IOException first = new IOException("first");
          Caller<String> caller =
              new Caller<>(
                  hedge,
                  () -> {
                    int n = attempts.begin();
                    if (n == 1) {
                      releaseFirst.await();
                      throw first;
                    }
                    throw new IOException("second");
                  });
          attempts.entered[0].await();
          time.awaitWaiters(1);
          time.advance(Duration.ofMillis(100));
          attempts.entered[1].await();
          for (Thread t : threads) {
            if (t != threads.get(0)) {
              t.join(); // the second attempt has failed
            }
          }
          releaseFirst.countDown();
          caller.join();
          assertThat(caller.failure.get()).isSameAs(first);
          assertThat(events.get(events.size() - 1))
              .isEqualTo(new HedgeEvent.Failed("quotes", 2, first, Duration.ofMillis(100)));
        });
  }

  @Test
  void anErrorOfOneAttemptIsNotHiddenByALaterFailureOfAnother() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Hedge hedge = hedge().build();
          Attempts attempts = new Attempts();
          CountDownLatch releaseFirst = new CountDownLatch(1);
          StackOverflowError broken = new StackOverflowError("a bug in the call");
          Caller<String> caller =
              new Caller<>(
                  hedge,
                  () -> {
                    int n = attempts.begin();
                    if (n == 1) {
                      releaseFirst.await();
                      throw new IOException("slow and down");
                    }
                    throw broken;
                  });
          attempts.entered[0].await();
          time.awaitWaiters(1);
          time.advance(Duration.ofMillis(100));
          attempts.entered[1].await();
          threads.get(1).join(); // the second attempt has failed with the Error
          releaseFirst.countDown();
          caller.join();
          assertThat(caller.failure.get()).isSameAs(broken);
        });
  }

  @Test
  void aFailedFirstAttemptStartsNoHedge() {
    Hedge hedge = hedge().build();
    IOException down = new IOException("down");
    assertThatThrownBy(
            () ->
                hedge.call(
                    () -> {
                      throw down;
                    }))
        .isSameAs(down);
    assertThat(threads).hasSize(1);
  }

  @Test
  void startsNoHedgeWhenTheBudgetDeniesIt() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          RetryBudget budget =
              RetryBudget.builder().ratio(0).minRetriesPerSecond(0).timeSource(time).build();
          Hedge hedge = subscribed(hedge().budget(budget).build());
          Attempts attempts = new Attempts();
          CountDownLatch release = new CountDownLatch(1);
          Caller<String> caller =
              new Caller<>(
                  hedge,
                  () -> {
                    attempts.begin();
                    release.await();
                    return "slow but only";
                  });
          attempts.entered[0].await();
          time.awaitWaiters(1);
          time.advance(Duration.ofMillis(100));
          while (events.isEmpty()) {
            Thread.yield();
          }
          release.countDown();
          caller.join();
          assertThat(caller.result).hasValue("slow but only");
          assertThat(attempts.count).hasValue(1);
          assertThat(events)
              .containsExactly(
                  new HedgeEvent.BudgetDenied("quotes", 2),
                  new HedgeEvent.Succeeded("quotes", 1, 1, Duration.ofMillis(100)));
        });
  }

  @Test
  void recordsEveryCallAsARequestAndTakesATokenPerHedge() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          RetryBudget budget =
              RetryBudget.builder().ratio(0.5).minRetriesPerSecond(0).timeSource(time).build();
          Hedge hedge = hedge().budget(budget).build();
          hedge.call(() -> 1);
          hedge.call(() -> 2);
          assertThat(budget.available()).isEqualTo(1);
          Attempts attempts = new Attempts();
          Caller<Integer> caller =
              new Caller<>(
                  hedge,
                  () -> {
                    int n = attempts.begin();
                    if (n == 1) {
                      attempts.block();
                    }
                    return n;
                  });
          attempts.entered[0].await();
          time.awaitWaiters(1);
          time.advance(Duration.ofMillis(100));
          caller.join();
          assertThat(caller.result).hasValue(2);
          assertThat(budget.available()).as("3 requests × 0.5 − 1 hedge").isEqualTo(0);
        });
  }

  @Test
  void aHedgeWhoseThreadCannotBeStartedGivesItsBudgetTokenBack() {
    // one factory that returns null for the second attempt, one that throws, one whose thread
    // refuses to start (it was started already)
    List<ThreadFactory> failing =
        List.of(
            task -> null,
            task -> {
              throw new IllegalStateException("no more threads");
            },
            task -> {
              Thread started = Thread.ofVirtual().start(() -> {});
              threads.add(started);
              return started;
            });
    for (ThreadFactory second : failing) {
      assertTimeoutPreemptively(
          BOUND,
          () -> {
            AtomicInteger made = new AtomicInteger();
            ThreadFactory firstOnly =
                task ->
                    made.incrementAndGet() == 1
                        ? recording.newThread(task)
                        : second.newThread(task);
            RetryBudget budget =
                RetryBudget.builder().ratio(1).minRetriesPerSecond(0).timeSource(time).build();
            Hedge hedge = hedge().threadFactory(firstOnly).budget(budget).build();
            Attempts attempts = new Attempts();
            CountDownLatch release = new CountDownLatch(1);
            Caller<String> caller =
                new Caller<>(
                    hedge,
                    () -> {
                      attempts.begin();
                      release.await();
                      return "first";
                    });
            attempts.entered[0].await();
            time.awaitWaiters(1);
            time.advance(Duration.ofMillis(100));
            while (made.get() < 2) {
              Thread.yield();
            }
            release.countDown();
            caller.join();
            assertThat(caller.result).hasValue("first");
            assertThat(budget.available())
                .as("the one request's token, since the hedge never started")
                .isEqualTo(1);
          });
    }
  }

  @Test
  void usesThePercentileOfMeasuredLatenciesOnceItHasEnough() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Hedge hedge =
              Hedge.builder("p")
                  .delayAtPercentile(50, Duration.ofSeconds(1))
                  .timeSource(time)
                  .threadFactory(recording)
                  .build();
          assertThat(hedge.currentDelay()).isEqualTo(Duration.ofSeconds(1));
          for (int i = 1; i <= LatencyWindow.MIN_SAMPLES; i++) {
            long millis = i;
            hedge.call(
                () -> {
                  time.advance(Duration.ofMillis(millis));
                  return millis;
                });
          }
          assertThat(hedge.currentDelay()).isEqualTo(Duration.ofMillis(10));
          Attempts attempts = new Attempts();
          Caller<Integer> caller =
              new Caller<>(
                  hedge,
                  () -> {
                    int n = attempts.begin();
                    if (n == 1) {
                      attempts.block();
                    }
                    return n;
                  });
          attempts.entered[0].await();
          time.awaitWaiters(1);
          time.advance(Duration.ofMillis(10));
          caller.join();
          assertThat(caller.result).hasValue(2);
        });
  }

  @Test
  void theAttemptsSeeTheCallersDeadline() {
    Hedge hedge = hedge().build();
    Duration seen =
        Deadline.within(time, Duration.ofSeconds(5))
            .callAsCurrent(() -> hedge.call(() -> Deadline.current().orElseThrow().remaining()));
    assertThat(seen).isEqualTo(Duration.ofSeconds(5));
    assertThat(hedge.call(() -> Deadline.current())).isEqualTo(Optional.empty());
  }

  @Test
  void anInterruptedCallerCancelsTheAttemptsAndKeepsItsInterruptStatus() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Hedge hedge = hedge().build();
          Attempts attempts = new Attempts();
          Caller<String> caller =
              new Caller<>(
                  hedge,
                  () -> {
                    attempts.begin();
                    attempts.block();
                    return "never";
                  });
          attempts.entered[0].await();
          time.awaitWaiters(1);
          caller.thread.interrupt();
          caller.join();
          assertThat(caller.failure.get())
              .isInstanceOf(CancellationException.class)
              .hasMessage(
                  "hedge 'quotes' was interrupted while it waited for its attempts; they were"
                      + " interrupted too");
          assertThat(caller.interruptedAfter).isTrue();
          for (Thread t : threads) {
            t.join();
          }
          assertThat(attempts.interrupted).hasValue(1);
        });
  }

  @Test
  void aTimeoutAroundTheHedgeCancelsItsAttemptsAtTheDeadline() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Timeout timeout =
              Timeout.builder("t").timeout(Duration.ofMillis(50)).timeSource(time).build();
          Hedge hedge = hedge().delay(Duration.ofSeconds(1)).build();
          Attempts attempts = new Attempts();
          AtomicReference<Throwable> failure = new AtomicReference<>();
          AtomicBoolean interruptedAfter = new AtomicBoolean();
          Thread caller =
              Thread.ofPlatform()
                  .start(
                      () -> {
                        try {
                          Pipeline.of(timeout, hedge)
                              .call(
                                  () -> {
                                    attempts.begin();
                                    attempts.block();
                                    return "never";
                                  });
                        } catch (Throwable t) {
                          failure.set(t);
                        }
                        interruptedAfter.set(Thread.interrupted());
                      });
          attempts.entered[0].await();
          time.awaitWaiters(2); // the watchdog and the hedge's caller
          time.advance(Duration.ofMillis(50));
          caller.join();
          assertThat(failure.get())
              .isInstanceOf(TimeoutExceededException.class)
              .hasCauseInstanceOf(CancellationException.class);
          assertThat(interruptedAfter).isFalse();
          for (Thread t : threads) {
            t.join();
          }
          assertThat(attempts.interrupted).hasValue(1);
          assertThat(attempts.count).hasValue(1);
        });
  }

  @Test
  void cancelsTheLoserOnRealThreadsAndLeavesNoThreadBehind() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Hedge hedge =
              Hedge.builder("real").delay(Duration.ofMillis(20)).threadFactory(recording).build();
          int platformBefore = Thread.activeCount();
          for (int round = 0; round < 20; round++) {
            Attempts attempts = new Attempts();
            int result =
                hedge.call(
                    () -> {
                      int n = attempts.begin();
                      if (n == 1) {
                        attempts.block();
                      }
                      return n;
                    });
            assertThat(result).isEqualTo(2);
            for (Thread t : threads) {
              t.join();
            }
            assertThat(attempts.interrupted).hasValue(1);
            threads.clear();
          }
          assertThat(Thread.activeCount()).isLessThanOrEqualTo(platformBefore);
        });
  }

  @Test
  void rejectsBadConfigurationNamingTheSettingRuleAndValue() {
    assertThatThrownBy(() -> Hedge.builder(null).delay(Duration.ofMillis(5)).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    assertThatThrownBy(() -> Hedge.builder("h").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "delay is required: set it with .delay(Duration) or .delayAtPercentile(double,"
                + " Duration)");
    assertThatThrownBy(() -> Hedge.builder("h").delay(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must not be negative, was -1ms");
    assertThatThrownBy(() -> Hedge.builder("h").delayAtPercentile(0, Duration.ofMillis(10)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("percentile must be in (0, 100], was 0.0");
    assertThatThrownBy(
            () -> Hedge.builder("h").delayAtPercentile(100.5, Duration.ofMillis(10)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("percentile must be in (0, 100], was 100.5");
    assertThatThrownBy(
            () -> Hedge.builder("h").delayAtPercentile(Double.NaN, Duration.ofMillis(10)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("percentile must be in (0, 100], was NaN");
    assertThatThrownBy(() -> Hedge.builder("h").delayAtPercentile(95, null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("fallbackDelay");
    assertThatThrownBy(
            () -> Hedge.builder("h").delayAtPercentile(95, Duration.ofSeconds(-2)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fallbackDelay must not be negative, was -2s");
    assertThatThrownBy(
            () -> Hedge.builder("h").delay(Duration.ofMillis(5)).maxExtraAttempts(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxExtraAttempts must be at least 1, was 0");
    assertThatThrownBy(
            () -> Hedge.builder("h").delay(Duration.ofMillis(5)).timeSource(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeSource");
    assertThatThrownBy(() -> Hedge.builder("h").delay(Duration.ofMillis(5)).budget(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("budget");
    assertThatThrownBy(
            () -> Hedge.builder("h").delay(Duration.ofMillis(5)).threadFactory(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("threadFactory");
    Hedge ok = Hedge.builder("h").delayAtPercentile(95, Duration.ofMillis(5)).build();
    assertThat(ok.config())
        .isEqualTo(
            new Hedge.Config(Duration.ofMillis(5), OptionalDouble.of(95), 1, Optional.empty()));
    assertThatThrownBy(() -> ok.call(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("call");
  }

  private static final ThreadLocal<String> TENANT = new ThreadLocal<>();

  @Test
  void carriesTheCallersContextToItsAttempts() {
    Hedge hedge =
        hedge()
            .delay(Duration.ZERO)
            .contextPropagator(ContextPropagator.threadLocal(TENANT))
            .build();
    List<String> seen = new CopyOnWriteArrayList<>();
    CountDownLatch bothStarted = new CountDownLatch(2);
    String result =
        assertTimeoutPreemptively(
            BOUND,
            () -> {
              TENANT.set("acme"); // on the thread that calls the hedge
              return hedge.call(
                  () -> {
                    seen.add(Thread.currentThread().getName() + ":" + TENANT.get());
                    bothStarted.countDown();
                    bothStarted.await();
                    return TENANT.get();
                  });
            });
    assertThat(result).isEqualTo("acme");
    assertThat(seen).hasSize(2).allMatch(s -> s.endsWith(":acme"));
    assertThat(threads).hasSize(2);
  }

  @Test
  void carriesNoContextByDefault() {
    Hedge hedge = hedge().build();
    String result =
        assertTimeoutPreemptively(
            BOUND,
            () -> {
              TENANT.set("acme");
              return hedge.call(TENANT::get);
            });
    assertThat(result).isNull();
  }
}
