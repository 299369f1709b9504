package dev.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** The system time source, checked without sleeping for long. */
class TimeSourceTest {

  private final TimeSource system = TimeSource.system();

  @Test
  void systemIsASingletonThatNamesItself() {
    assertThat(TimeSource.system()).isSameAs(system);
    assertThat(system).hasToString("TimeSource.system()");
  }

  @Test
  void nanoTimeNeverGoesBackwards() {
    long previous = system.nanoTime();
    for (int i = 0; i < 1_000; i++) {
      long now = system.nanoTime();
      assertThat(now - previous).isNotNegative();
      previous = now;
    }
  }

  @Test
  void sleepWaitsAtLeastTheDuration() throws InterruptedException {
    long before = system.nanoTime();
    system.sleep(Duration.ofMillis(2));
    assertThat(system.nanoTime() - before).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(2));
  }

  @Test
  void sleepOfZeroOrLessReturnsAtOnceButStillSeesAnInterrupt() throws InterruptedException {
    system.sleep(Duration.ZERO);
    system.sleep(Duration.ofSeconds(-1));

    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> system.sleep(Duration.ZERO)).isInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();

    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> system.sleep(Duration.ofSeconds(30)))
        .isInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void awaitNanosTimesOutAndReportsNoTimeLeft() throws InterruptedException {
    ReentrantLock lock = new ReentrantLock();
    Condition condition = lock.newCondition();
    lock.lock();
    try {
      assertThat(system.awaitNanos(lock, condition, TimeUnit.MILLISECONDS.toNanos(1)))
          .isLessThanOrEqualTo(0);
      assertThat(system.awaitNanos(lock, condition, 0)).isLessThanOrEqualTo(0);
    } finally {
      lock.unlock();
    }
  }
}
