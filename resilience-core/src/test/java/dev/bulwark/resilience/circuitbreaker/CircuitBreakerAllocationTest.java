package dev.bulwark.resilience.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.resilience.ManualTimeSource;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The success path allocates nothing per call. This is a cheap guard against regressions, read from
 * the JVM's per-thread allocation counter; the benchmarks module measures it properly with JMH and
 * {@code -prof gc}.
 */
class CircuitBreakerAllocationTest {

  private static final int CALLS = 100_000;

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  /** The fewest bytes a round of calls allocated, over a few rounds after a warm-up. */
  private static long bytesPerRound(CircuitBreaker breaker) {
    long fewest = Long.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      long before = allocatedBytes();
      for (int i = 0; i < CALLS; i++) {
        breaker.call(() -> "ok");
      }
      fewest = Math.min(fewest, allocatedBytes() - before);
    }
    return fewest;
  }

  @Test
  void aSuccessfulCallAllocatesNothingWithACountWindow() {
    CircuitBreaker breaker =
        CircuitBreaker.builder("alloc").timeSource(new ManualTimeSource()).build();

    assertThat(bytesPerRound(breaker))
        .isLessThan(CALLS); // one object per call would be 16 bytes each
  }

  @Test
  void aSuccessfulCallAllocatesNothingWithATimeWindowAndSlowCallDetection() {
    CircuitBreaker breaker =
        CircuitBreaker.builder("alloc")
            .slidingWindow(SlidingWindow.time(Duration.ofSeconds(10)))
            .slowCallDuration(Duration.ofSeconds(1))
            .timeSource(new ManualTimeSource())
            .build();

    assertThat(bytesPerRound(breaker))
        .isLessThan(CALLS); // one object per call would be 16 bytes each
  }
}
