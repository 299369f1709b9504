package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.hedge.Hedge;
import dev.bulwark.resilience.retry.RetryBudget;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The hedging guide. */
class HedgeGuideTest {

  @Test
  void aFastAnswerNeedsNoHedge() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(20),
        () -> {
          var time = new ManualTimeSource(); // the hedge's delay passes only when the test says
          // tag::hedge[]
          RetryBudget budget = RetryBudget.builder().ratio(0.05).build(); // at most ~5 % extra
          Hedge reads =
              Hedge.builder("profile-reads")
                  .delayAtPercentile(95, Duration.ofMillis(50)) // p95 of recent calls; 50 ms first
                  .maxExtraAttempts(1)
                  .budget(budget)
                  .timeSource(time)
                  .build();
          // end::hedge[]
          AtomicInteger attempts = new AtomicInteger();
          String profile =
              reads.call(
                  () -> {
                    attempts.incrementAndGet();
                    return "profile of 42";
                  });
          assertThat(profile).isEqualTo("profile of 42");
          assertThat(attempts).hasValue(1);
        });
  }
}
