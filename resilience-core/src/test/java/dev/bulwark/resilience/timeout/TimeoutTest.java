package dev.bulwark.resilience.timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Pipeline;
import dev.bulwark.resilience.TimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimeoutTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private final ManualTimeSource time = new ManualTimeSource();

  @AfterEach
  void noInterruptLeaksIntoTheTestThread() {
    assertThat(Thread.interrupted()).isFalse();
  }

  private Timeout timeout(String name, Duration d) {
    return Timeout.builder(name).timeout(d).timeSource(time).build();
  }

  /** A call made on a thread of its own, so that the test thread can move the time. */
  private static final class Caller {
    final AtomicReference<Object> result = new AtomicReference<>();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final AtomicBoolean interruptedAfter = new AtomicBoolean();
    final Thread thread;

    Caller(boolean interruptFirst, dev.bulwark.resilience.Call<?, ?> call) {
      thread =
          Thread.ofPlatform()
              .start(
                  () -> {
                    if (interruptFirst) {
                      Thread.currentThread().interrupt();
                    }
                    try {
                      result.set(call.call());
                    } catch (Throwable t) {
                      failure.set(t);
                    }
                    interruptedAfter.set(Thread.interrupted());
                  });
    }

    Caller join() throws InterruptedException {
      thread.join();
      return this;
    }
  }

  /** Spins, ignoring interrupts, until the watchdog has fired on the current call. */
  private static String ignoreInterruptsUntilFired() {
    WatchedDeadline node = (WatchedDeadline) Deadline.currentOrNull();
    while (node.state() == WatchedDeadline.ACTIVE || node.state() == WatchedDeadline.FIRING) {
      Thread.yield();
    }
    return "late";
  }

  @Test
  void returnsTheCallsResultBeforeTheDeadline() {
    Timeout timeout = timeout("quotes", Duration.ofSeconds(1));
    assertThat(timeout.call(() -> "quote")).isEqualTo("quote");
    assertThat(timeout.name()).isEqualTo("quotes");
    assertThat(timeout.config()).isEqualTo(new Timeout.Config(Duration.ofSeconds(1)));
  }

  @Test
  void passesTheCallsCheckedExceptionThroughUnchanged() {
    Timeout timeout = timeout("quotes", Duration.ofSeconds(1));
    IOException down = new IOException("down");
    assertThatThrownBy(
            () ->
                timeout.call(
                    () -> {
                      throw down;
                    }))
        .isSameAs(down);
  }

  @Test
  void interruptsABlockedCallWhenVirtualTimePassesTheDeadline() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Timeout timeout = timeout("quotes", Duration.ofMillis(500));
          CountDownLatch never = new CountDownLatch(1);
          Caller caller =
              new Caller(
                  false,
                  () ->
                      timeout.call(
                          () -> {
                            never.await();
                            return "never";
                          }));
          time.awaitWaiters(1); // the watchdog waits for the deadline
          time.advance(Duration.ofMillis(499));
          assertThat(caller.thread.isAlive()).isTrue();
          time.advance(Duration.ofMillis(1));
          caller.join();
          assertThat(caller.failure.get())
              .isInstanceOf(TimeoutExceededException.class)
              .hasCauseInstanceOf(InterruptedException.class)
              .hasMessage(
                  "timeout 'quotes' of 500ms exceeded: the call was given 500ms and gave control"
                      + " back after 500ms");
          TimeoutExceededException e = (TimeoutExceededException) caller.failure.get();
          assertThat(e.policyName()).isEqualTo("quotes");
          assertThat(e.timeout()).isEqualTo(Duration.ofMillis(500));
          assertThat(caller.interruptedAfter).isFalse();
        });
  }

  @Test
  void firesEachCallAtItsOwnDeadlineAndNoEarlier() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Timeout timeout = timeout("quotes", Duration.ofSeconds(1));
          CountDownLatch never = new CountDownLatch(1);
          CountDownLatch secondEntered = new CountDownLatch(1);
          Caller first =
              new Caller(
                  false,
                  () ->
                      timeout.call(
                          () -> {
                            never.await();
                            return 1;
                          }));
          time.awaitWaiters(1); // the watchdog waits for the first deadline, at 1s
          time.advance(Duration.ofMillis(500));
          Caller second =
              new Caller(
                  false,
                  () ->
                      timeout.call(
                          () -> {
                            secondEntered.countDown();
                            never.await();
                            return 2;
                          }));
          secondEntered.await(); // registered with a deadline at 1.5s, later than the wait
          time.advance(Duration.ofMillis(500));
          first.join();
          assertThat(first.failure.get()).isInstanceOf(TimeoutExceededException.class);
          assertThat(second.thread.isAlive()).isTrue();
          time.awaitWaiters(1); // the watchdog now waits for the second deadline
          time.advance(Duration.ofMillis(499));
          assertThat(second.thread.isAlive()).isTrue();
          time.advance(Duration.ofMillis(1));
          second.join();
          assertThat(second.failure.get())
              .isInstanceOf(TimeoutExceededException.class)
              .hasMessageContaining("gave control back after 1s");
        });
  }

  @Test
  void aCallThatIgnoresTheInterruptStillTimesOutAndItsResultIsDropped() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Timeout timeout = timeout("quotes", Duration.ofSeconds(2));
          Caller caller =
              new Caller(false, () -> timeout.call(TimeoutTest::ignoreInterruptsUntilFired));
          time.awaitWaiters(1);
          time.advance(Duration.ofSeconds(3));
          caller.join();
          assertThat(caller.result.get()).isNull();
          assertThat(caller.failure.get())
              .isInstanceOf(TimeoutExceededException.class)
              .hasNoCause()
              .hasMessageEndingWith("; it ignored the interrupt, and its result was dropped");
          assertThat(caller.interruptedAfter).as("the timeout's interrupt is cleared").isFalse();
        });
  }

  @Test
  void keepsAnInterruptThatWasPendingBeforeTheCall() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Timeout timeout = timeout("quotes", Duration.ofSeconds(2));
          Caller caller =
              new Caller(true, () -> timeout.call(TimeoutTest::ignoreInterruptsUntilFired));
          time.awaitWaiters(1);
          time.advance(Duration.ofSeconds(2));
          caller.join();
          assertThat(caller.failure.get()).isInstanceOf(TimeoutExceededException.class);
          assertThat(caller.interruptedAfter).as("the caller's own interrupt stays").isTrue();
        });
  }

  @Test
  void leavesAnInterruptFromElsewhereDuringATimelyCallAlone() {
    Timeout timeout = timeout("quotes", Duration.ofSeconds(2));
    int result =
        timeout.call(
            () -> {
              Thread.currentThread().interrupt(); // as if another thread interrupted the caller
              return 1;
            });
    assertThat(result).isEqualTo(1);
    assertThat(Thread.interrupted()).isTrue();
  }

  @Test
  void aCallThatConsumesTheInterruptAndReturnsLeavesNoInterruptBehind() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Timeout timeout = timeout("quotes", Duration.ofSeconds(1));
          CountDownLatch never = new CountDownLatch(1);
          Caller caller =
              new Caller(
                  false,
                  () ->
                      timeout.call(
                          () -> {
                            try {
                              never.await();
                            } catch (InterruptedException swallowed) {
                              return "fallback"; // swallows the interrupt
                            }
                            return "never";
                          }));
          time.awaitWaiters(1);
          time.advance(Duration.ofSeconds(1));
          caller.join();
          assertThat(caller.failure.get()).isInstanceOf(TimeoutExceededException.class);
          assertThat(caller.interruptedAfter).isFalse();
        });
  }

  @Test
  void makesTheDeadlineCurrentInsideTheCallOnly() {
    Timeout timeout = timeout("quotes", Duration.ofSeconds(3));
    time.advance(Duration.ofSeconds(7));
    Deadline inside = timeout.call(() -> Deadline.current().orElseThrow());
    assertThat(inside.nanoTime()).isEqualTo(Duration.ofSeconds(10).toNanos());
    assertThat(inside.remaining()).isEqualTo(Duration.ofSeconds(3));
    assertThat(inside.timeSource()).isSameAs(time);
    assertThat(Deadline.current()).isEmpty();
  }

  @Test
  void aNestedTimeoutTakesTheEarlierDeadline() {
    Timeout outer = timeout("outer", Duration.ofSeconds(5));
    Timeout shorter = timeout("shorter", Duration.ofSeconds(1));
    Timeout longer = timeout("longer", Duration.ofSeconds(9));
    assertThat(outer.call(() -> shorter.call(() -> Deadline.current().orElseThrow().remaining())))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(outer.call(() -> longer.call(() -> Deadline.current().orElseThrow().remaining())))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(Pipeline.of(outer, shorter).call(() -> Deadline.current().orElseThrow().remaining()))
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void theInnerTimeoutReportsWhenItsDeadlineIsEarlier() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Timeout outer = timeout("outer", Duration.ofSeconds(5));
          Timeout inner = timeout("inner", Duration.ofSeconds(1));
          CountDownLatch never = new CountDownLatch(1);
          Caller caller =
              new Caller(
                  false,
                  () ->
                      Pipeline.of(outer, inner)
                          .call(
                              () -> {
                                never.await();
                                return 0;
                              }));
          time.awaitWaiters(2); // both watchdogs wait
          time.advance(Duration.ofSeconds(1));
          caller.join();
          assertThat(((TimeoutExceededException) caller.failure.get()).policyName())
              .isEqualTo("inner");
          assertThat(caller.interruptedAfter).isFalse();
        });
  }

  @Test
  void theOuterTimeoutEnforcesAnEarlierInheritedDeadline() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Timeout outer = timeout("outer", Duration.ofSeconds(1));
          Timeout inner = timeout("inner", Duration.ofSeconds(5));
          CountDownLatch never = new CountDownLatch(1);
          CountDownLatch entered = new CountDownLatch(1);
          Caller caller =
              new Caller(
                  false,
                  () ->
                      outer.call(
                          () ->
                              inner.call(
                                  () -> {
                                    entered.countDown();
                                    never.await();
                                    return 0;
                                  })));
          entered.await(); // the inner call has started, before its deadline
          time.awaitWaiters(1);
          time.advance(Duration.ofSeconds(1));
          caller.join();
          assertThat(caller.failure.get())
              .isInstanceOf(TimeoutExceededException.class)
              .hasCauseInstanceOf(InterruptedException.class);
          assertThat(((TimeoutExceededException) caller.failure.get()).policyName())
              .isEqualTo("outer");
          assertThat(inner.watchdogThread()).as("the inner timeout watched nothing").isNull();
        });
  }

  @Test
  void anInheritedDeadlineOnAnotherThreadIsEnforcedByTheTimeoutItself() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Deadline carried = Deadline.within(time, Duration.ofSeconds(1));
          Timeout timeout = timeout("inner", Duration.ofSeconds(5));
          CountDownLatch never = new CountDownLatch(1);
          Caller caller =
              new Caller(
                  false,
                  () ->
                      carried.callAsCurrent(
                          () ->
                              timeout.call(
                                  () -> {
                                    never.await();
                                    return 0;
                                  })));
          time.awaitWaiters(1);
          time.advance(Duration.ofSeconds(1));
          caller.join();
          assertThat(caller.failure.get())
              .isInstanceOf(TimeoutExceededException.class)
              .hasMessage(
                  "timeout 'inner' of 5s exceeded: the call was given 1s (an earlier deadline"
                      + " inherited from outside) and gave control back after 1s");
          assertThat(((TimeoutExceededException) caller.failure.get()).timeout())
              .isEqualTo(Duration.ofSeconds(1));
        });
  }

  @Test
  void aDeadlineCarriedBackOntoItsThreadAfterItsCallEndedIsEnforcedAgain() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Timeout outer = timeout("outer", Duration.ofSeconds(1));
          Timeout inner = timeout("inner", Duration.ofSeconds(5));
          CountDownLatch never = new CountDownLatch(1);
          AtomicReference<Deadline> captured = new AtomicReference<>();
          Caller caller =
              new Caller(
                  false,
                  () -> {
                    outer.call(() -> captured.getAndSet(Deadline.current().orElseThrow()));
                    return captured
                        .get()
                        .callAsCurrent(
                            () ->
                                inner.call(
                                    () -> {
                                      never.await();
                                      return 0;
                                    }));
                  });
          while (inner.watchdogThread() == null) {
            Thread.yield();
          }
          time.awaitWaiters(2);
          time.advance(Duration.ofSeconds(1));
          caller.join();
          assertThat(((TimeoutExceededException) caller.failure.get()).policyName())
              .isEqualTo("inner");
        });
  }

  @Test
  void aCallWhoseInheritedDeadlineHasPassedIsNotRun() {
    Timeout timeout = timeout("quotes", Duration.ofSeconds(1));
    AtomicBoolean ran = new AtomicBoolean();
    Deadline carried = Deadline.within(time, Duration.ofMillis(100));
    time.advance(Duration.ofMillis(300));
    assertThatThrownBy(
            () ->
                carried.callAsCurrent(
                    () ->
                        timeout.call(
                            () -> {
                              ran.set(true);
                              return 0;
                            })))
        .isInstanceOf(TimeoutExceededException.class)
        .hasMessage(
            "timeout 'quotes' exceeded: the inherited deadline had passed 200ms before the call"
                + " started, so it was not run")
        .satisfies(e -> assertThat(((TimeoutExceededException) e).timeout()).isZero());
    assertThat(ran).isFalse();
  }

  @Test
  void publishesAnEventForEachOutcome() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Timeout timeout = timeout("quotes", Duration.ofSeconds(1));
          List<TimeoutEvent> events = new CopyOnWriteArrayList<>();
          var subscription = timeout.subscribe(events::add);
          timeout.call(
              () -> {
                time.advance(Duration.ofMillis(10));
                return 1;
              });
          IllegalStateException boom = new IllegalStateException("boom");
          assertThatThrownBy(
                  () ->
                      timeout.call(
                          () -> {
                            throw boom;
                          }))
              .isSameAs(boom);
          CountDownLatch entered = new CountDownLatch(1);
          new Caller(
              false,
              () ->
                  timeout.call(
                      () -> {
                        entered.countDown();
                        return ignoreInterruptsUntilFired();
                      }));
          entered.await(); // the watchdog already waits (it idles), so wait for the call itself
          time.advance(Duration.ofSeconds(1));
          while (events.size() < 3) {
            Thread.yield();
          }
          subscription.close();
          timeout.call(() -> 2);
          assertThat(events)
              .containsExactly(
                  new TimeoutEvent.Succeeded("quotes", Duration.ofMillis(10)),
                  new TimeoutEvent.Failed("quotes", Duration.ZERO, boom),
                  new TimeoutEvent.TimedOut(
                      "quotes", Duration.ofSeconds(1), Duration.ofSeconds(1)));
        });
  }

  @Test
  void theWatchdogEndsWhenIdleAndStartsAgainOnDemand() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Timeout timeout = timeout("quotes", Duration.ofMillis(100));
          assertThat(timeout.watchdogThread()).as("no thread before the first call").isNull();
          timeout.call(() -> 1);
          Thread first = timeout.watchdogThread();
          assertThat(first).isNotNull();
          assertThat(first.isVirtual()).isTrue();
          assertThat(first.isDaemon()).isTrue();
          assertThat(first.getName()).isEqualTo("bulwark-timeout-quotes");
          while (first.isAlive()) { // it waits for the deadline, then idles for its keep-alive
            if (time.waiters() > 0) {
              time.advance(Duration.ofMillis(500));
            }
            Thread.yield();
          }
          assertThat(timeout.watchdogThread()).isNull();
          assertThat(timeout.call(() -> 2)).isEqualTo(2);
          Thread second = timeout.watchdogThread();
          assertThat(second).isNotNull().isNotSameAs(first);
        });
  }

  @Test
  void interruptsCallsBlockedOnRealThreadsAndLeavesNoThreadBehind() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Timeout timeout = Timeout.builder("real").timeout(Duration.ofMillis(50)).build();
          CountDownLatch never = new CountDownLatch(1);
          int callers = 100; // more than the first slot segment holds, so it grows
          AtomicInteger timedOut = new AtomicInteger();
          AtomicInteger leaked = new AtomicInteger();
          List<Thread> threads = new ArrayList<>();
          int platformBefore = Thread.activeCount();
          for (int i = 0; i < callers; i++) {
            threads.add(
                Thread.ofVirtual()
                    .start(
                        () -> {
                          try {
                            timeout.call(
                                () -> {
                                  never.await();
                                  return 0;
                                });
                          } catch (TimeoutExceededException e) {
                            timedOut.incrementAndGet();
                          } catch (InterruptedException e) {
                            throw new AssertionError(e);
                          }
                          if (Thread.interrupted()) {
                            leaked.incrementAndGet();
                          }
                        }));
          }
          for (Thread t : threads) {
            t.join();
          }
          assertThat(timedOut).hasValue(callers);
          assertThat(leaked).hasValue(0);
          Thread watchdog = timeout.watchdogThread();
          if (watchdog != null) {
            watchdog.join(); // ends after its one-second keep-alive
          }
          assertThat(Thread.activeCount()).isLessThanOrEqualTo(platformBefore);
        });
  }

  @Test
  void neverInterruptsACallerThatHasLeftTheCallEvenWhenTheyRace() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          TimeSource system = TimeSource.system();
          Timeout timeout = Timeout.builder("race").timeout(Duration.ofNanos(30_000)).build();
          int threads = 4;
          int iterations = 1_500 * Integer.getInteger("bulwark.stress.scale", 1);
          AtomicInteger leaks = new AtomicInteger();
          AtomicInteger timeouts = new AtomicInteger();
          List<Thread> started = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            started.add(
                Thread.ofPlatform()
                    .start(
                        () -> {
                          for (int i = 0; i < iterations; i++) {
                            long spin = ThreadLocalRandom.current().nextLong(60_000);
                            try {
                              timeout.call(
                                  () -> {
                                    long end = system.nanoTime() + spin;
                                    while (system.nanoTime() - end < 0) {
                                      Thread.onSpinWait(); // ignores the interrupt
                                    }
                                    return 0;
                                  });
                            } catch (TimeoutExceededException e) {
                              timeouts.incrementAndGet();
                            }
                            if (Thread.interrupted()) {
                              leaks.incrementAndGet();
                            }
                          }
                        }));
          }
          for (Thread t : started) {
            t.join();
          }
          assertThat(leaks).hasValue(0);
          assertThat(timeouts.get()).isPositive().isLessThan(threads * iterations);
        });
  }

  @Test
  void rejectsBadConfigurationNamingTheSettingRuleAndValue() {
    assertThatThrownBy(() -> Timeout.builder(null).timeout(Duration.ofSeconds(1)).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    assertThatThrownBy(() -> Timeout.builder("t").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("timeout is required: set it with .timeout(Duration)");
    assertThatThrownBy(() -> Timeout.builder("t").timeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive, was 0s");
    assertThatThrownBy(() -> Timeout.builder("t").timeout(Duration.ofMillis(-5)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive, was -5ms");
    assertThatThrownBy(
            () -> Timeout.builder("t").timeout(Duration.ofSeconds(1)).timeSource(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeSource");
    Timeout ok = Timeout.builder("t").timeout(Duration.ofSeconds(1)).build();
    assertThatThrownBy(() -> ok.call(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("call");
  }
}
