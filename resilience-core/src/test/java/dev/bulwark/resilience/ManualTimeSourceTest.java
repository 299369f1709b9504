package dev.bulwark.resilience;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class ManualTimeSourceTest {

  private static final Duration BOUND = ofSeconds(10);

  private final ManualTimeSource time = new ManualTimeSource();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition condition = lock.newCondition();

  /**
   * Starts a thread that waits {@code nanos} on the condition and stores what awaitNanos returned.
   */
  private Thread waiter(
      ManualTimeSource source, long nanos, AtomicLong left, AtomicReference<Throwable> failure) {
    return Thread.ofVirtual()
        .start(
            () -> {
              lock.lock();
              try {
                left.set(source.awaitNanos(lock, condition, nanos));
              } catch (Throwable t) {
                failure.set(t);
              } finally {
                lock.unlock();
              }
            });
  }

  @Test
  void standsStillUntilAdvanced() {
    assertThat(time.nanoTime()).isZero();
    time.advance(ofMillis(5));
    assertThat(time.nanoTime()).isEqualTo(5_000_000L);
    assertThat(time.elapsed()).isEqualTo(ofMillis(5));
    time.advance(Duration.ZERO);
    assertThat(time.elapsed()).isEqualTo(ofMillis(5));
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void sleepAdvancesAndRecords() throws InterruptedException {
    time.sleep(ofMillis(100));
    time.sleep(ofMillis(200));
    time.sleep(Duration.ZERO);
    time.sleep(ofMillis(-5));

    assertThat(time.sleeps())
        .containsExactly(ofMillis(100), ofMillis(200), Duration.ZERO, Duration.ZERO);
    assertThat(time.elapsed()).isEqualTo(ofMillis(300));
    assertThat(time).hasToString("ManualTimeSource[elapsed=PT0.3S]");

    time.clearSleeps();
    assertThat(time.sleeps()).isEmpty();
    assertThat(time.elapsed()).isEqualTo(ofMillis(300));
  }

  @Test
  void sleepOfAnInterruptedThreadThrowsAndRecordsNothing() {
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> time.sleep(ofMillis(1))).isInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(time.sleeps()).isEmpty();
    assertThat(time.elapsed()).isZero();
  }

  @Test
  void rejectsNegativeAdvanceAndNulls() {
    assertThatThrownBy(() -> time.advance(ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration must not be negative, was -1ms");
    assertThatThrownBy(() -> time.advance(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("duration");
    assertThatThrownBy(() -> time.sleep(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("duration");
  }

  @Test
  void awaitNanosReturnsWhenSignalled() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          AtomicLong left = new AtomicLong(Long.MIN_VALUE);
          AtomicReference<Throwable> failure = new AtomicReference<>();
          Thread t = waiter(time, ofSeconds(1).toNanos(), left, failure);

          time.awaitWaiters(1);
          assertThat(time.waiters()).isEqualTo(1);
          lock.lock();
          try {
            condition.signalAll();
          } finally {
            lock.unlock();
          }
          t.join();

          assertThat(failure.get()).isNull();
          assertThat(left.get()).isEqualTo(ofSeconds(1).toNanos()); // no time passed
          assertThat(time.waiters()).isZero();
        });
  }

  @Test
  void awaitNanosReturnsWhenAdvancedPastItsDeadline() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          AtomicLong left = new AtomicLong(Long.MIN_VALUE);
          AtomicReference<Throwable> failure = new AtomicReference<>();
          Thread t = waiter(time, ofMillis(100).toNanos(), left, failure);

          time.awaitWaiters(1);
          time.advance(ofMillis(60));
          assertThat(time.waiters()).isEqualTo(1); // not yet due
          time.advance(ofMillis(60));
          t.join();

          assertThat(failure.get()).isNull();
          assertThat(left.get()).isEqualTo(-ofMillis(20).toNanos());
          assertThat(time.sleeps()).isEmpty();
        });
  }

  @Test
  void aSleepOnTheSameSourceAlsoEndsTimedWaits() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          AtomicLong left = new AtomicLong(Long.MIN_VALUE);
          Thread t = waiter(time, ofMillis(100).toNanos(), left, new AtomicReference<>());

          time.awaitWaiters(1);
          time.sleep(ofMillis(100));
          t.join();

          assertThat(left.get()).isZero();
        });
  }

  @Test
  void interruptEndsTheWait() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          AtomicReference<Throwable> failure = new AtomicReference<>();
          Thread t = waiter(time, ofSeconds(1).toNanos(), new AtomicLong(), failure);

          time.awaitWaiters(1);
          t.interrupt();
          t.join();

          assertThat(failure.get()).isInstanceOf(InterruptedException.class);
          assertThat(time.waiters()).isZero();
        });
  }

  @Test
  void aWaitOfZeroOrLessReturnsAtOnce() throws InterruptedException {
    lock.lock();
    try {
      assertThat(time.awaitNanos(lock, condition, 0)).isZero();
      assertThat(time.awaitNanos(lock, condition, -5)).isEqualTo(-5);
    } finally {
      lock.unlock();
    }
    assertThat(time.waiters()).isZero();
  }

  @Test
  void aPendingInterruptEndsEvenAWaitOfZeroAsTheSystemSourceDoes() {
    for (TimeSource source : new TimeSource[] {TimeSource.system(), time}) {
      for (long nanos : new long[] {0, -5, 1_000}) {
        lock.lock();
        try {
          Thread.currentThread().interrupt();
          assertThatThrownBy(() -> source.awaitNanos(lock, condition, nanos))
              .as("%s waiting %d ns", source, nanos)
              .isInstanceOf(InterruptedException.class);
          assertThat(Thread.interrupted()).as("interrupt status cleared").isFalse();
        } finally {
          Thread.interrupted();
          lock.unlock();
        }
      }
    }
    assertThat(time.waiters()).isZero();
  }

  @Test
  void worksWithAStartNearTheEndOfTheLongRange() {
    ManualTimeSource late = new ManualTimeSource(Long.MAX_VALUE - 50_000_000L);
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          AtomicLong left = new AtomicLong(Long.MIN_VALUE);
          Thread t = waiter(late, ofMillis(100).toNanos(), left, new AtomicReference<>());

          late.awaitWaiters(1);
          late.advance(ofMillis(70)); // the reading wraps past Long.MAX_VALUE here
          assertThat(late.waiters()).isEqualTo(1);
          late.advance(ofMillis(30));
          t.join();

          assertThat(left.get()).isZero();
          assertThat(late.nanoTime()).isNegative();
          assertThat(late.elapsed()).isEqualTo(ofMillis(100));
        });
  }

  @Test
  void aThreadWokenByAnAdvanceStopsCountingAtOnceEvenBeforeItRetakesItsLock() {
    // Issue 11 item 9: the woken thread counted as a waiter until it had its lock back, so
    // awaitWaiters(1) right after advance() could return before the thread waited again.
    ManualTimeSource time = new ManualTimeSource();
    ReentrantLock lock = new ReentrantLock();
    Condition never = lock.newCondition();
    AtomicLong rounds = new AtomicLong();
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          Thread waiter =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        lock.lock();
                        try {
                          for (int i = 0; i < 2; i++) {
                            time.awaitNanos(lock, never, ofSeconds(1).toNanos());
                            rounds.incrementAndGet();
                          }
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        } finally {
                          lock.unlock();
                        }
                      });
          time.awaitWaiters(1);
          lock.lock(); // the woken thread cannot get its lock back until the test lets it
          try {
            time.advance(ofSeconds(1));
            assertThat(time.waiters()).isZero();
            assertThat(rounds).hasValue(0);
          } finally {
            lock.unlock();
          }
          time.awaitWaiters(1); // now means: waiting again, after its first round
          assertThat(rounds).hasValue(1);
          time.advance(ofSeconds(1));
          waiter.join();
          assertThat(rounds).hasValue(2);
          assertThat(time.waiters()).isZero();
        });
  }

  @Test
  void theJavadocRecipeTestsATimeoutInVirtualTime() {
    ManualTimeSource time = new ManualTimeSource();
    dev.bulwark.resilience.timeout.Timeout timeout =
        dev.bulwark.resilience.timeout.Timeout.builder("quotes")
            .timeout(ofSeconds(1))
            .timeSource(time)
            .build();
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          Thread caller =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        try {
                          timeout.call(
                              () -> {
                                never.await();
                                return "late";
                              });
                        } catch (Throwable t) {
                          failure.set(t);
                        }
                      });
          time.awaitWaiters(1);
          time.advance(ofMillis(999));
          assertThat(caller.isAlive()).isTrue();
          time.advance(ofMillis(1));
          caller.join();
        });
    assertThat(failure.get())
        .isInstanceOf(dev.bulwark.resilience.timeout.TimeoutExceededException.class);
  }
}
