package dev.bulwark.resilience.retry;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

  private final ManualTimeSource time = new ManualTimeSource();

  private RetryBudget budget(double ratio, int perSecond) {
    return RetryBudget.builder()
        .ratio(ratio)
        .minRetriesPerSecond(perSecond)
        .window(ofSeconds(10))
        .timeSource(time)
        .build();
  }

  @Test
  void defaultsAreFinaglesOnes() {
    assertThat(RetryBudget.builder().build().config())
        .isEqualTo(new RetryBudget.Config(0.2, 10, ofSeconds(10)));
  }

  @Test
  void allowsTheFloorWithNoTraffic() {
    RetryBudget budget = budget(0.1, 2); // 2 per second over 10 s: 20

    assertThat(budget.available()).isEqualTo(20);
    for (int i = 0; i < 20; i++) {
      assertThat(budget.tryAcquireRetry()).isTrue();
    }
    assertThat(budget.tryAcquireRetry()).isFalse();
    assertThat(budget.available()).isZero();
  }

  @Test
  void eachRequestAddsTheRatioOfARetry() {
    RetryBudget budget = budget(0.25, 0);

    for (int i = 0; i < 7; i++) {
      budget.recordRequest();
    }

    assertThat(budget.available()).isEqualTo(1); // floor(1.75)
    budget.recordRequest();
    assertThat(budget.available()).isEqualTo(2);
  }

  @Test
  void aRefundedRetryIsAvailableAgainButARefundNeverAddsToAnUnusedBudget() {
    RetryBudget budget = budget(0, 1); // a floor of 10 over the window, no ratio

    budget.refundRetry();
    assertThat(budget.available()).as("nothing was taken: nothing to give back").isEqualTo(10);

    assertThat(budget.tryAcquireRetry()).isTrue();
    time.advance(ofSeconds(3));
    assertThat(budget.tryAcquireRetry()).isTrue();
    assertThat(budget.available()).isEqualTo(8);
    budget.refundRetry();
    assertThat(budget.available()).isEqualTo(9);
    budget.refundRetry(); // the retry of 3 s ago, from an older slot
    assertThat(budget.available()).isEqualTo(10);
    budget.refundRetry();
    assertThat(budget.available()).isEqualTo(10);

    assertThat(budget.tryAcquireRetry()).isTrue();
    time.advance(ofSeconds(11)); // the retry has left the window
    budget.refundRetry();
    assertThat(budget.available()).isEqualTo(10);
  }

  @Test
  void forgetsWhatLeftTheWindow() {
    RetryBudget budget = budget(0.5, 0);
    for (int i = 0; i < 10; i++) {
      budget.recordRequest();
    }
    assertThat(budget.tryAcquireRetry()).isTrue();
    assertThat(budget.available()).isEqualTo(4);

    time.advance(ofSeconds(5));
    budget.recordRequest();
    budget.recordRequest();
    assertThat(budget.available()).isEqualTo(5);

    time.advance(ofMillis(5_500)); // the first ten requests and the retry have left the window
    assertThat(budget.available()).isEqualTo(1);

    time.advance(ofSeconds(10));
    assertThat(budget.available()).isZero();
  }

  @Test
  void countsOfLongAgoDoNotComeBackAfterTheSlotEpochsWrapAround() {
    // A 10 ms window has 1 ms slots. Counts tagged with a slot epoch of 22 bits looked current
    // again after 2^22 slots (70 minutes) with no call: a retry taken then blocked the floor, and
    // requests made then paid for retries now.
    RetryBudget budget =
        RetryBudget.builder()
            .ratio(1)
            .minRetriesPerSecond(100) // 1 retry per 10 ms window
            .window(ofMillis(10))
            .timeSource(time)
            .build();
    for (int i = 0; i < 5; i++) {
      budget.recordRequest();
    }
    for (int i = 0; i < 6; i++) {
      assertThat(budget.tryAcquireRetry()).isTrue();
    }
    assertThat(budget.tryAcquireRetry()).isFalse();

    time.advance(ofMillis(1L << 22));
    assertThat(budget.available()).as("only the floor, after 70 quiet minutes").isEqualTo(1);
    time.advance(ofMillis(5L << 22));
    assertThat(budget.available()).isEqualTo(1);
    assertThat(budget.tryAcquireRetry()).isTrue();
    assertThat(budget.tryAcquireRetry()).isFalse();
  }

  @Test
  void keepsCountingAcrossTheWrapAroundOfNanoTime() {
    ManualTimeSource late = new ManualTimeSource(Long.MAX_VALUE - ofMillis(500).toNanos());
    RetryBudget budget =
        RetryBudget.builder()
            .ratio(0.5)
            .minRetriesPerSecond(0)
            .window(ofSeconds(10))
            .timeSource(late)
            .build();
    for (int i = 0; i < 10; i++) {
      budget.recordRequest();
    }
    assertThat(budget.tryAcquireRetry()).isTrue();

    late.advance(ofSeconds(1)); // nanoTime wraps to a negative reading
    budget.recordRequest();
    budget.recordRequest();

    assertThat(budget.available()).isEqualTo(5); // floor(12 * 0.5) - 1
    late.advance(ofSeconds(10));
    assertThat(budget.available()).isZero();
  }

  @Test
  void racingRetriesNeverTakeMoreThanTheBudget() {
    RetryBudget budget = budget(0, 10); // exactly 100 retries
    AtomicInteger granted = new AtomicInteger();
    assertTimeoutPreemptively(
        ofSeconds(10),
        () -> {
          List<Thread> threads = new ArrayList<>();
          for (int t = 0; t < 8; t++) {
            threads.add(
                Thread.ofPlatform()
                    .start(
                        () -> {
                          for (int i = 0; i < 100; i++) {
                            if (budget.tryAcquireRetry()) {
                              granted.incrementAndGet();
                            }
                          }
                        }));
          }
          for (Thread thread : threads) {
            thread.join();
          }
        });

    assertThat(granted).hasValue(100);
  }

  @Test
  void describesItself() {
    assertThat(budget(0.1, 1))
        .hasToString("RetryBudget[Config[ratio=0.1, minRetriesPerSecond=1, window=PT10S]]");
    assertThat(Duration.ofSeconds(10)).isEqualTo(budget(0.1, 1).config().window());
  }
}
