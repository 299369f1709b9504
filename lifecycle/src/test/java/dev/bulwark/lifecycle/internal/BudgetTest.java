package dev.bulwark.lifecycle.internal;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.resilience.ManualTimeSource;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The budget of a stop, in virtual time. */
class BudgetTest {

  private final ManualTimeSource time = new ManualTimeSource();

  @Test
  void aWaitIsTheSmallerOfItsOwnLengthAndWhatIsLeft() {
    Budget budget = Budget.of(time, ofSeconds(10));
    assertThat(budget.left(ofSeconds(3).toNanos())).isEqualTo(ofSeconds(3).toNanos());
    time.advance(ofSeconds(8));
    assertThat(budget.left(ofSeconds(3).toNanos())).isEqualTo(ofSeconds(2).toNanos());
    time.advance(ofSeconds(5));
    assertThat(budget.left(ofSeconds(3).toNanos())).isZero();
  }

  @Test
  void noWaitTakesWhatIsOwedToLaterWork() {
    Budget budget = Budget.of(time, ofSeconds(10));
    budget.owe(ofSeconds(4));
    time.advance(ofSeconds(5));
    assertThat(budget.left(Long.MAX_VALUE)).isEqualTo(ofSeconds(1).toNanos());
    budget.owe(Duration.ZERO);
    assertThat(budget.left(Long.MAX_VALUE)).isEqualTo(ofSeconds(5).toNanos());
  }

  @Test
  void anInterruptSpendsTheBudgetAndIsRemembered() {
    Budget budget = Budget.of(time, ofSeconds(10));
    budget.markInterrupted();
    assertThat(budget.left(ofSeconds(1).toNanos())).isZero();
    assertThat(budget.wasInterrupted()).isTrue();
    assertThat(budget.gaveUp()).isFalse();
    Budget yielding = Budget.yieldingToInterrupt(time);
    yielding.markInterrupted();
    assertThat(yielding.gaveUp()).isTrue();
  }

  @Test
  void aBudgetBeyondTheRangeOfNanoTimeHasNoEnd() {
    time.advance(ofSeconds(1));
    Budget budget = Budget.of(time, Duration.ofNanos(Long.MAX_VALUE - 1));
    assertThat(budget.left(ofSeconds(3).toNanos())).isEqualTo(ofSeconds(3).toNanos());
    Budget huge = Budget.of(time, Duration.ofDays(365L * 1_000_000));
    assertThat(huge.left(ofSeconds(3).toNanos())).isEqualTo(ofSeconds(3).toNanos());
  }
}
