package dev.bulwark.resilience.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker.State;
import dev.bulwark.resilience.internal.Durations;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An OPEN breaker's refusal builds its message only when read, as it did when built eagerly. */
class CircuitOpenExceptionTest {

  private static final long[] WAITS = {
    0,
    1,
    999,
    1_000,
    12_500,
    999_999_500,
    1_000_000_000,
    4_200_000_001L,
    60_000_000_000L,
    Long.MAX_VALUE
  };

  private static void fail(CircuitBreaker breaker) {
    try {
      breaker.call(
          () -> {
            throw new IllegalStateException("down");
          });
    } catch (IllegalStateException expected) {
      // recorded
    }
  }

  private static CircuitBreaker open(CircuitBreaker breaker) {
    for (int i = 0; i < 4; i++) {
      fail(breaker);
    }
    assertThat(breaker.state()).isEqualTo(State.OPEN);
    return breaker;
  }

  private static CircuitBreaker.Builder breaker() {
    return CircuitBreaker.builder("payments").slidingWindow(SlidingWindow.count(4)).minimumCalls(4);
  }

  @Test
  void aLazilyBuiltMessageEqualsTheEagerOneForEveryWait() {
    for (long wait : WAITS) {
      CircuitOpenException refusal = new CircuitOpenException("payments", wait);

      assertThat(refusal.retryAfter()).contains(Duration.ofNanos(wait));
      assertThat(refusal.state()).isEqualTo(State.OPEN);
      assertThat(refusal)
          .hasMessage(
              "circuit 'payments' is OPEN; calls permitted again in "
                  + Durations.format(Duration.ofNanos(wait)));
    }
  }

  @Test
  void aRefusalSaysWhenToRetryBeforeItsMessageIsRead() {
    ManualTimeSource time = new ManualTimeSource();
    CircuitBreaker breaker =
        open(breaker().openDuration(Duration.ofSeconds(10)).timeSource(time).build());
    time.advance(Duration.ofMillis(2_500));

    assertThatThrownBy(() -> breaker.call(() -> "no"))
        .isInstanceOfSatisfying(
            CircuitOpenException.class,
            e -> {
              assertThat(e.retryAfter()).contains(Duration.ofMillis(7_500).plusNanos(1));
              assertThat(e.policyName()).isEqualTo("payments");
              assertThat(e.state()).isEqualTo(State.OPEN);
              assertThat(e.getStackTrace()).isEmpty();
              assertThat(e).hasMessage("circuit 'payments' is OPEN; calls permitted again in 7.5s");
            });
  }

  @Test
  void theOtherRefusalsKeepTheirMessagesAndNoWait() {
    CircuitBreaker forced = breaker().build();
    forced.forceOpen();

    assertThatThrownBy(() -> forced.call(() -> "no"))
        .isInstanceOfSatisfying(
            CircuitOpenException.class,
            e -> {
              assertThat(e.retryAfter()).isEmpty();
              assertThat(e)
                  .hasMessage(
                      "circuit 'payments' is FORCED_OPEN; calls are refused until it is reset or"
                          + " closed by hand");
            });
  }

  @Test
  void aRefusalIsSerializedWithItsMessageItsWaitAndItsState() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new CircuitOpenException("payments", 4_200_000_000L));
    }
    CircuitOpenException copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (CircuitOpenException) in.readObject();
    }

    assertThat(copy).hasMessage("circuit 'payments' is OPEN; calls permitted again in 4.2s");
    assertThat(copy.retryAfter()).contains(Duration.ofMillis(4_200));
    assertThat(copy.state()).isEqualTo(State.OPEN);
  }

  /** Kept so that the refusals escape and cannot be optimised away. */
  private RejectedException last;

  @Test
  void aRefusalAllocatesOnlyItselfUntilItsMessageIsRead() {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
    threads.setThreadAllocatedMemoryEnabled(true);
    CircuitBreaker breaker = open(breaker().build()); // the system clock, OPEN for 60s
    int refusals = 20_000;
    long fewest = Long.MAX_VALUE;
    for (int round = 0; round < 5; round++) { // the first rounds warm up
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < refusals; i++) {
        try {
          breaker.call(() -> "never");
        } catch (CircuitOpenException e) {
          last = e;
        }
      }
      fewest = Math.min(fewest, threads.getCurrentThreadAllocatedBytes() - before);
    }

    // the exception alone is 56 bytes; its message and a Duration were 216 more
    assertThat(fewest / refusals).isLessThan(100);
    assertThat(last.getMessage())
        .startsWith("circuit 'payments' is OPEN; calls permitted again in");
  }
}
