package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.backoff.Jitter;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.retry.RetryBudget;
import dev.bulwark.resilience.retry.RetryBudgetExhaustedException;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The retry and retry budget guides. */
class RetryGuideTest {
  final ManualTimeSource time = new ManualTimeSource();

  @Test
  void retriesTransientFailuresWithFullJitterAndStopsAtTheDeadline() throws IOException {
    // tag::configure[]
    Retry retry =
        Retry.builder("inventory")
            .maxAttempts(5)
            .maxDuration(Duration.ofSeconds(3)) // never sleeps past this
            .backoff(
                Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2))
                    .jitter(Jitter.full()) // Brooker's "full jitter": rand(0, min(cap, base·2ⁿ))
                    .build())
            .retryOn(IOException.class) // and only on these
            .retryIf(e -> !(e instanceof HttpTimeoutException)) // minus these
            .timeSource(time)
            .build();
    // end::configure[]
    AtomicInteger calls = new AtomicInteger();
    String answer =
        retry.call(
            () -> {
              if (calls.incrementAndGet() < 3) {
                throw new IOException("reset");
              }
              return "42 in stock";
            });
    assertThat(answer).isEqualTo("42 in stock");
    assertThat(time.sleeps()).hasSize(2).allMatch(d -> d.compareTo(Duration.ofMillis(200)) < 0);

    assertThatThrownBy(() -> retry.call(() -> thrower(new HttpTimeoutException("slow"))))
        .isInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void aBackoffIsARecipeEachLoopDrawsItsOwnSequenceFrom() {
    // tag::sequence[]
    Backoff backoff =
        Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2))
            .jitter(Jitter.decorrelated()) // min(cap, rand(base, 3·previous))
            .random(new SplittableRandom(7)) // injectable, so tests are repeatable
            .build();
    Backoff.Sequence delays = backoff.sequence(); // one per retry loop
    Duration first = delays.next();
    // end::sequence[]
    assertThat(first).isBetween(Duration.ofMillis(100), Duration.ofMillis(300));
  }

  @Test
  void aSharedBudgetStopsRetriesDuringAnOutage() {
    // tag::budget[]
    RetryBudget budget =
        RetryBudget.builder()
            .ratio(0.1) // retries may add 10 % to the requests ...
            .minRetriesPerSecond(2) // ... plus a floor of 2 per second
            .window(Duration.ofSeconds(10))
            .timeSource(time)
            .build();
    Backoff brief = Backoff.fixed(Duration.ofMillis(10)).build();
    Retry orders = Retry.builder("orders").backoff(brief).budget(budget).timeSource(time).build();
    Retry stock = Retry.builder("stock").backoff(brief).budget(budget).timeSource(time).build();
    // end::budget[]
    AtomicInteger attempts = new AtomicInteger();
    for (int i = 0; i < 20; i++) {
      Retry retry = i % 2 == 0 ? orders : stock;
      try {
        retry.call(() -> thrower(new IOException("outage " + attempts.incrementAndGet())));
      } catch (RetryBudgetExhaustedException | IOException expected) {
        // an outage: every call fails, the budget caps the retries
      }
    }
    // without a budget, 20 calls × 3 attempts = 60 attempts
    assertThat(attempts.get()).isGreaterThanOrEqualTo(20).isLessThan(60);
  }

  static <X extends Exception> String thrower(X e) throws X {
    throw e;
  }
}
