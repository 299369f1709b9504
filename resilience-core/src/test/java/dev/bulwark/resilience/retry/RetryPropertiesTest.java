package dev.bulwark.resilience.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.backoff.Jitter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The invariants of issue 2 for Retry and RetryBudget, checked over generated configurations. */
class RetryPropertiesTest {

  /** Records when each sleep ends, to check that none ends past the deadline. */
  private static final class Recording implements TimeSource {
    final ManualTimeSource time;
    final List<Long> sleepEnds = new ArrayList<>();

    Recording(long start) {
      this.time = new ManualTimeSource(start);
    }

    @Override
    public long nanoTime() {
      return time.nanoTime();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
      time.sleep(duration);
      sleepEnds.add(time.nanoTime());
    }

    @Override
    public long awaitNanos(Lock lock, Condition condition, long nanos) throws InterruptedException {
      return time.awaitNanos(lock, condition, nanos);
    }
  }

  private static Backoff.Builder shape(int kind, long initialMs, long maxMs) {
    Duration initial = Duration.ofMillis(initialMs);
    Duration max = Duration.ofMillis(maxMs);
    return switch (kind) {
      case 0 -> Backoff.fixed(initial);
      case 1 -> Backoff.linear(initial, initial, max);
      default -> Backoff.exponential(initial, max);
    };
  }

  @Property(tries = 300)
  void neverCallsMoreThanMaxAttemptsNorSleepsPastMaxDuration(
      @ForAll @IntRange(min = 1, max = 30) int maxAttempts,
      @ForAll @LongRange(min = 1, max = 30_000) long maxDurationMs,
      @ForAll @IntRange(min = 0, max = 2) int kind,
      @ForAll @IntRange(min = 0, max = 4) int jitterKind,
      @ForAll @LongRange(min = 0, max = 1_000) long attemptMs,
      @ForAll long seed,
      @ForAll boolean startNearWrapAround) {
    Jitter jitter =
        switch (jitterKind) {
          case 0 -> Jitter.none();
          case 1 -> Jitter.full();
          case 2 -> Jitter.equal();
          case 3 -> Jitter.decorrelated();
          default -> Jitter.proportional(0.5);
        };
    SplittableRandom random = new SplittableRandom(seed);
    Backoff backoff =
        shape(kind, 1 + random.nextLong(500), 500 + random.nextLong(10_000))
            .jitter(jitter)
            .random(random.split())
            .build();
    Recording time = new Recording(startNearWrapAround ? Long.MAX_VALUE - 5_000_000_000L : 0L);
    Duration maxDuration = Duration.ofMillis(maxDurationMs);
    Retry retry =
        Retry.builder("p")
            .maxAttempts(maxAttempts)
            .maxDuration(maxDuration)
            .backoff(backoff)
            .timeSource(time)
            .build();
    int[] calls = {0};
    long start = time.nanoTime();

    Throwable thrown =
        catchThrowable(
            () ->
                retry.call(
                    () -> {
                      calls[0]++;
                      time.time.advance(Duration.ofMillis(random.nextLong(attemptMs + 1)));
                      throw new IOException("down");
                    }));

    assertThat(thrown).isInstanceOf(IOException.class);
    assertThat(calls[0]).isBetween(1, maxAttempts);
    Duration slept = time.time.sleeps().stream().reduce(Duration.ZERO, Duration::plus);
    assertThat(slept).isLessThanOrEqualTo(maxDuration);
    for (long end : time.sleepEnds) {
      assertThat(end - start).isLessThan(maxDuration.toNanos());
    }
  }

  @Property(tries = 50)
  void aTenPercentBudgetOverAThousandFailingCallsAllowsAtMostTenPercentPlusTheFloor(
      @ForAll @IntRange(min = 0, max = 20) int minRetriesPerSecond,
      @ForAll @IntRange(min = 2, max = 6) int maxAttempts,
      @ForAll @LongRange(min = 0, max = 9) long maxAdvanceMs,
      @ForAll long seed) {
    ManualTimeSource budgetTime = new ManualTimeSource();
    RetryBudget budget =
        RetryBudget.builder()
            .ratio(0.1)
            .minRetriesPerSecond(minRetriesPerSecond)
            .window(Duration.ofSeconds(10))
            .timeSource(budgetTime)
            .build();
    Retry retry =
        Retry.builder("p")
            .maxAttempts(maxAttempts)
            .backoff(Backoff.fixed(Duration.ZERO).build())
            .budget(budget)
            .timeSource(new ManualTimeSource())
            .build();
    SplittableRandom random = new SplittableRandom(seed);
    int[] attempts = {0};

    for (int i = 0; i < 1_000; i++) {
      // the 1,000 calls stay within 9 s, so every one of them counts in the 10 s window
      budgetTime.advance(Duration.ofMillis(random.nextLong(maxAdvanceMs + 1)));
      catchThrowable(
          () ->
              retry.call(
                  () -> {
                    attempts[0]++;
                    throw new IOException("down");
                  }));
    }

    long retries = attempts[0] - 1_000L;
    long floor = minRetriesPerSecond * 10L;
    assertThat(retries).isLessThanOrEqualTo(100 + floor);
    if (maxAdvanceMs == 0) {
      // a fixed clock: the budget is spent exactly, since every call asks for a retry
      assertThat(retries).isEqualTo(100 + floor);
    }
  }
}
