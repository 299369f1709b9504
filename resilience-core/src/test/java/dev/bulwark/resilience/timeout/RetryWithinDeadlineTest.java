package dev.bulwark.resilience.timeout;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.retry.RetryEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A retry inside a deadline (as a {@code Timeout} sets it) never sleeps past it. The deadline is
 * entered directly here, through the package-private seam the Timeout uses.
 */
class RetryWithinDeadlineTest {

  private final ManualTimeSource time = new ManualTimeSource();

  private <T> T withinDeadline(Duration timeout, ThrowingSupplier<T> body) throws Exception {
    Deadline previous = Deadline.enter(Deadline.within(time, timeout));
    try {
      return body.get();
    } finally {
      Deadline.restore(previous);
    }
  }

  @FunctionalInterface
  interface ThrowingSupplier<T> {
    T get() throws Exception;
  }

  private static Retry.Builder exponential(ManualTimeSource time) {
    return Retry.builder("quotes")
        .maxAttempts(10)
        .backoff(Backoff.exponential(ofMillis(100), ofSeconds(10)).build())
        .timeSource(time);
  }

  @Test
  void neverSleepsPastTheEnclosingDeadline() {
    Retry retry = exponential(time).build();
    List<RetryEvent> events = new ArrayList<>();
    retry.subscribe(events::add);
    AtomicInteger calls = new AtomicInteger();
    IOException down = new IOException("down");

    assertThatThrownBy(
            () ->
                withinDeadline(
                    ofMillis(1000),
                    () ->
                        retry.call(
                            () -> {
                              calls.incrementAndGet();
                              throw down;
                            })))
        .isSameAs(down);

    // 100 + 200 + 400 = 700ms; waiting 800ms more would end at 1.5s, past the 1s deadline
    assertThat(time.sleeps()).containsExactly(ofMillis(100), ofMillis(200), ofMillis(400));
    assertThat(calls).hasValue(4);
    assertThat(events.getLast())
        .isEqualTo(new RetryEvent.Failed("quotes", 4, down, RetryEvent.Failed.Reason.DEADLINE));
  }

  @Test
  void theEarlierOfMaxDurationAndTheDeadlineWins() throws Exception {
    Retry retry = exponential(time).maxDuration(ofMillis(350)).build();

    assertThatThrownBy(
            () ->
                withinDeadline(
                    ofSeconds(5),
                    () ->
                        retry.call(
                            () -> {
                              throw new IOException("down");
                            })))
        .isInstanceOf(IOException.class);
    assertThat(time.sleeps()).containsExactly(ofMillis(100), ofMillis(200));

    time.clearSleeps();
    Retry generous = exponential(time).maxDuration(ofSeconds(5)).build();
    assertThatThrownBy(
            () ->
                withinDeadline(
                    ofMillis(350),
                    () ->
                        generous.call(
                            () -> {
                              throw new IOException("down");
                            })))
        .isInstanceOf(IOException.class);
    assertThat(time.sleeps()).containsExactly(ofMillis(100), ofMillis(200));
  }

  @Test
  void anExpiredDeadlineStopsTheRetryAfterTheFirstFailure() {
    Retry retry = exponential(time).build();
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(
            () ->
                withinDeadline(
                    ofMillis(50),
                    () ->
                        retry.call(
                            () -> {
                              calls.incrementAndGet();
                              time.advance(ofMillis(60)); // the attempt outlives the deadline
                              throw new IOException("slow");
                            })))
        .isInstanceOf(IOException.class);

    assertThat(calls).hasValue(1);
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void aRetryAfterPastTheDeadlineGivesUpAtOnce() {
    Retry retry = exponential(time).build();
    var refused = new dev.bulwark.resilience.retry.RetryTestRefusal(ofSeconds(2));

    assertThatThrownBy(
            () ->
                withinDeadline(
                    ofSeconds(1),
                    () ->
                        retry.call(
                            () -> {
                              throw refused;
                            })))
        .isSameAs(refused);

    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void theDeadlineIsGoneAfterTheBlockSoTheRetryIsUnboundedAgain() throws Exception {
    withinDeadline(ofMillis(10), () -> null);
    assertThat(Deadline.current()).isEmpty();

    Retry retry = exponential(time).maxAttempts(3).build();
    AtomicInteger calls = new AtomicInteger();
    assertThat(
            retry.call(
                () -> {
                  if (calls.incrementAndGet() < 3) {
                    throw new IOException("down");
                  }
                  return "ok";
                }))
        .isEqualTo("ok");
    assertThat(time.sleeps()).containsExactly(ofMillis(100), ofMillis(200));
  }
}
