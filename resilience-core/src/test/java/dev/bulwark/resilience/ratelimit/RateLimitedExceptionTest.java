package dev.bulwark.resilience.ratelimit;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.internal.Durations;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A refusal's message is built only when read, and reads as it did when it was built eagerly. */
class RateLimitedExceptionTest {

  private static final long[] WAITS = {
    0,
    1,
    999,
    1_000,
    12_500,
    999_999_500,
    1_000_000_000,
    4_200_000_001L,
    3_600_000_000_000L,
    Long.MAX_VALUE
  };

  /** The message as the limiter built it before it was lazy. */
  private static String eager(
      String name, int permits, long waitNanos, Duration max, boolean keyed) {
    String scope = keyed ? " for this key" : "";
    Duration retryAfter = Duration.ofNanos(waitNanos);
    String message =
        permits == 1
            ? "rate limiter '"
                + name
                + "' refused 1 permit"
                + scope
                + "; next permit in "
                + Durations.format(retryAfter)
            : "rate limiter '"
                + name
                + "' refused "
                + permits
                + " permits"
                + scope
                + "; next "
                + permits
                + " permits in "
                + Durations.format(retryAfter);
    if (!max.isZero()) {
      message += ", beyond the max wait of " + Durations.format(max);
    }
    return message;
  }

  @Test
  void aLazilyBuiltMessageEqualsTheEagerOneForEveryWaitAndShape() {
    for (long wait : WAITS) {
      for (int permits : new int[] {1, 3}) {
        for (Duration max : new Duration[] {Duration.ZERO, ofMillis(50)}) {
          for (boolean keyed : new boolean[] {false, true}) {
            RateLimitedException refusal =
                new RateLimitedException("api", permits, wait, max, keyed);

            assertThat(refusal.retryAfter()).contains(Duration.ofNanos(wait));
            assertThat(refusal.getMessage()).isEqualTo(eager("api", permits, wait, max, keyed));
            assertThat(refusal.permits()).isEqualTo(permits);
          }
        }
      }
    }
  }

  @Test
  void aRefusalSaysWhenToRetryBeforeItsMessageIsRead() {
    ManualTimeSource time = new ManualTimeSource();
    RateLimiter limiter =
        RateLimiter.builder("api").rate(80, ofSeconds(1)).burst(1).timeSource(time).build();
    assertThat(limiter.tryAcquire()).isTrue();
    time.advance(ofMillis(2));

    assertThatThrownBy(() -> limiter.call(() -> "no"))
        .isInstanceOfSatisfying(
            RateLimitedException.class,
            e -> {
              assertThat(e.retryAfter()).contains(ofMillis(10).plusNanos(500_000));
              assertThat(e.policyName()).isEqualTo("api");
              assertThat(e.getStackTrace()).isEmpty();
              assertThat(e)
                  .hasMessage("rate limiter 'api' refused 1 permit; next permit in 10.5ms");
            });
  }

  @Test
  void aRefusalIsSerializedWithItsMessageItsWaitAndItsPermits() throws Exception {
    RateLimitedException refusal =
        new RateLimitedException("api", 3, 300_000_000, ofMillis(50), true);

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(refusal);
    }
    RateLimitedException copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (RateLimitedException) in.readObject();
    }

    assertThat(copy)
        .hasMessage(
            "rate limiter 'api' refused 3 permits for this key; next 3 permits in 300ms, beyond"
                + " the max wait of 50ms");
    assertThat(copy.retryAfter()).contains(ofMillis(300));
    assertThat(copy.permits()).isEqualTo(3);
  }

  /** Kept so that the refusals escape and cannot be optimised away. */
  private RejectedException last;

  @Test
  void aRefusalAllocatesOnlyItselfUntilItsMessageIsRead() {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
    threads.setThreadAllocatedMemoryEnabled(true);
    RateLimiter limiter =
        RateLimiter.builder("api").rate(1, Duration.ofHours(1)).build(); // the system clock
    assertThat(limiter.tryAcquire()).isTrue(); // the only permit of the hour
    int refusals = 20_000;
    long fewest = Long.MAX_VALUE;
    for (int round = 0; round < 5; round++) { // the first rounds warm up
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < refusals; i++) {
        try {
          limiter.call(() -> "never");
        } catch (RateLimitedException e) {
          last = e;
        }
      }
      fewest = Math.min(fewest, threads.getCurrentThreadAllocatedBytes() - before);
    }

    // the exception alone is 64 bytes; its message and a Duration were 214 more
    assertThat(fewest / refusals).isLessThan(100);
    assertThat(last.getMessage()).startsWith("rate limiter 'api' refused 1 permit; next permit in");
  }
}
