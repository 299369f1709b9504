package dev.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.timeout.Deadline;
import dev.bulwark.resilience.timeout.Timeout;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Policies from different packages working together in one pipeline, in virtual time. */
class PipelineCompositionTest {

  private final ManualTimeSource time = new ManualTimeSource();

  @Test
  void retryInsideATimeoutNeverSleepsPastTheTimeoutsDeadline() {
    Timeout timeout =
        Timeout.builder("overall").timeout(Duration.ofSeconds(1)).timeSource(time).build();
    Retry retry =
        Retry.builder("quotes")
            .maxAttempts(10)
            .backoff(Backoff.fixed(Duration.ofMillis(400)).build())
            .timeSource(time)
            .build();
    AtomicInteger attempts = new AtomicInteger();
    IOException last = new IOException("still down");

    assertThatThrownBy(
            () ->
                Pipeline.of(timeout, retry)
                    .call(
                        () -> {
                          attempts.incrementAndGet();
                          throw last;
                        }))
        .isSameAs(last);

    // t=0 fail, sleep 400ms; t=400 fail, sleep 400ms; t=800 fail: a third sleep would end at
    // 1200ms, past the deadline, so the retry gives up at once with the last failure.
    assertThat(time.sleeps()).containsExactly(Duration.ofMillis(400), Duration.ofMillis(400));
    assertThat(attempts).hasValue(3);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void theDeadlineOfAnOuterTimeoutIsVisibleInsideEveryInnerPolicy() throws IOException {
    Timeout timeout =
        Timeout.builder("overall").timeout(Duration.ofSeconds(2)).timeSource(time).build();
    Retry retry =
        Retry.builder("inner")
            .maxAttempts(2)
            .backoff(Backoff.fixed(Duration.ofMillis(500)).build())
            .timeSource(time)
            .build();
    List<Duration> remainingPerAttempt = new ArrayList<>();

    String result =
        Pipeline.of(timeout, retry)
            .call(
                () -> {
                  remainingPerAttempt.add(Deadline.current().orElseThrow().remaining());
                  if (remainingPerAttempt.size() == 1) {
                    throw new IOException("first attempt fails");
                  }
                  return "ok";
                });

    assertThat(result).isEqualTo("ok");
    assertThat(remainingPerAttempt).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(1500));
    assertThat(Deadline.current()).isEmpty();
  }
}
