package dev.bulwark.metrics;

import static dev.bulwark.metrics.Meters.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.fanout.FanOut;
import dev.bulwark.resilience.hedge.Hedge;
import dev.bulwark.resilience.timeout.Timeout;
import dev.bulwark.resilience.timeout.TimeoutExceededException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Policies that run calls on other threads or against a real deadline. */
class ConcurrentPolicyMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CountDownLatch never = new CountDownLatch(1);

  @Test
  void timeoutCountsSuccessesFailuresAndTimeouts() {
    Timeout timeout = Timeout.builder("slow").timeout(Duration.ofMillis(50)).build();
    BulwarkMetrics.bind(registry, timeout);
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          timeout.call(() -> "in time");
          assertThatThrownBy(
                  () ->
                      timeout.call(
                          () -> {
                            throw new IOException("fails");
                          }))
              .isInstanceOf(IOException.class);
          assertThatThrownBy(() -> timeout.call(() -> never.await(10, TimeUnit.SECONDS)))
              .isInstanceOf(TimeoutExceededException.class);
        });
    assertThat(calls(BulwarkMeter.TIMEOUT_CALLS, "slow", "success")).isEqualTo(1);
    assertThat(calls(BulwarkMeter.TIMEOUT_CALLS, "slow", "failure")).isEqualTo(1);
    assertThat(calls(BulwarkMeter.TIMEOUT_CALLS, "slow", "timeout")).isEqualTo(1);
  }

  @Test
  void hedgeCountsCallsAndExtraAttempts() {
    Hedge hedge = Hedge.builder("hedge").delay(Duration.ofMillis(10)).maxExtraAttempts(1).build();
    BulwarkMetrics.bind(registry, hedge);
    AtomicInteger attempts = new AtomicInteger();
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          String result =
              hedge.call(
                  () -> {
                    if (attempts.incrementAndGet() == 1) {
                      never.await(); // the first attempt hangs; the hedge wins
                    }
                    return "hedge won";
                  });
          assertThat(result).isEqualTo("hedge won");
          assertThat(calls(BulwarkMeter.HEDGE_ATTEMPTS, "hedge", "started")).isEqualTo(1);
          assertThatThrownBy(
                  () ->
                      hedge.call(
                          () -> {
                            throw new IOException("down");
                          }))
              .isInstanceOf(IOException.class);
        });
    assertThat(calls(BulwarkMeter.HEDGE_CALLS, "hedge", "success")).isEqualTo(1);
    assertThat(calls(BulwarkMeter.HEDGE_CALLS, "hedge", "failure")).isEqualTo(1);
    assertThat(calls(BulwarkMeter.HEDGE_ATTEMPTS, "hedge", "budget_denied")).isZero();
  }

  @Test
  void fanOutCountsBatchesAndTheirCalls() {
    FanOut fan = FanOut.builder("fan").timeout(Duration.ofSeconds(10)).build();
    BulwarkMetrics.bind(registry, fan);
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () ->
            fan.call(
                List.<Call<String, Exception>>of(
                    () -> "a",
                    () -> "b",
                    () -> {
                      throw new IOException("c failed");
                    })));
    assertThat(calls(BulwarkMeter.FANOUT_BATCHES, "fan", "completed")).isEqualTo(1);
    assertThat(calls(BulwarkMeter.FANOUT_BATCHES, "fan", "deadline")).isZero();
    assertThat(calls(BulwarkMeter.FANOUT_CALLS, "fan", "success")).isEqualTo(2);
    assertThat(calls(BulwarkMeter.FANOUT_CALLS, "fan", "failure")).isEqualTo(1);
    assertThat(calls(BulwarkMeter.FANOUT_CALLS, "fan", "unfinished")).isZero();
  }

  private double calls(BulwarkMeter meter, String name, String outcome) {
    return value(registry, meter, "name", name, "outcome", outcome);
  }
}
