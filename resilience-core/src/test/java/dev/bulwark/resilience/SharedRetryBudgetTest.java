package dev.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.hedge.Hedge;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.retry.RetryBudget;
import dev.bulwark.resilience.testing.TrackingThreads;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link Retry} and a {@link Hedge} nested in one another and sharing one {@link RetryBudget}
 * record one request per logical call, so the budget allows the intended share of retries.
 */
class SharedRetryBudgetTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private final ManualTimeSource time = new ManualTimeSource();
  private final TrackingThreads threads = new TrackingThreads("hedge-");

  @AfterEach
  void leavesNoThreadBehind() throws InterruptedException {
    threads.assertNoThreadLeftBehind();
  }

  private RetryBudget budget() {
    return RetryBudget.builder().ratio(0.5).minRetriesPerSecond(0).timeSource(time).build();
  }

  private Retry retry(RetryBudget budget) {
    return Retry.builder("quotes")
        .maxAttempts(3)
        .backoff(Backoff.fixed(Duration.ofMillis(10)).build())
        .budget(budget)
        .timeSource(time)
        .build();
  }

  private Hedge hedge(RetryBudget budget) {
    // the delay never passes in virtual time: no extra attempt starts in these tests
    return Hedge.builder("quotes")
        .delay(Duration.ofHours(1))
        .budget(budget)
        .threadFactory(threads)
        .timeSource(time)
        .build();
  }

  @Test
  void aRetryAroundAHedgeOnTheSameBudgetRecordsOneRequestPerCall() throws IOException {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          RetryBudget budget = budget();
          Pipeline pipeline = Pipeline.of(retry(budget), hedge(budget));
          for (int i = 0; i < 4; i++) {
            pipeline.call(() -> "quote");
          }
          assertThat(budget.available()).as("4 requests × 0.5").isEqualTo(2);

          AtomicInteger attempts = new AtomicInteger();
          pipeline.call(
              () -> {
                if (attempts.incrementAndGet() == 1) {
                  throw new IOException("blip");
                }
                return "quote";
              });
          assertThat(budget.available())
              .as("5 requests × 0.5 − 1 retry: the retried attempt is not a new request")
              .isEqualTo(1);
        });
  }

  @Test
  void aHedgeAroundARetryOnTheSameBudgetRecordsOneRequestPerCall() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          RetryBudget budget = budget();
          Pipeline pipeline = Pipeline.of(hedge(budget), retry(budget));
          for (int i = 0; i < 4; i++) {
            pipeline.call(() -> "quote");
          }
          assertThat(budget.available())
              .as("4 requests × 0.5: the retry runs on the hedge's attempt thread")
              .isEqualTo(2);
        });
  }

  @Test
  void policiesOnDifferentBudgetsEachRecordTheirOwnRequest() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          RetryBudget outer = budget();
          RetryBudget inner = budget();
          Pipeline pipeline = Pipeline.of(retry(outer), hedge(inner), retry(outer));
          for (int i = 0; i < 4; i++) {
            pipeline.call(() -> "quote");
          }
          assertThat(outer.available()).isEqualTo(2);
          assertThat(inner.available()).isEqualTo(2);
        });
  }

  @Test
  void aDirectRecordInsideACallStillCounts() {
    RetryBudget budget = budget();
    Retry retry = retry(budget);
    retry.call(
        () -> {
          budget.recordRequest(); // code that records by itself decides what a request is
          return "quote";
        });
    assertThat(budget.available()).isEqualTo(1);
  }

  @Test
  void theNextCallRecordsItsOwnRequestAfterOneThatFailed() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          RetryBudget budget = budget();
          Hedge hedge = hedge(budget);
          Pipeline pipeline = Pipeline.of(hedge, retry(budget));
          for (int i = 0; i < 4; i++) {
            try {
              pipeline.call(
                  () -> {
                    throw new IllegalStateException("down");
                  });
            } catch (IllegalStateException expected) {
              // every attempt failed
            }
          }
          hedge.call(() -> "quote");
          hedge.call(() -> "quote");
          assertThat(budget.available())
              .as("6 requests × 0.5 − 2 retries (granted in the 2nd and 4th calls)")
              .isEqualTo(1);
        });
  }
}
