package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.bulkhead.AdaptiveBulkhead;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.bulkhead.BulkheadFullException;
import dev.bulwark.resilience.bulkhead.LimitAlgorithm;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The bulkhead and adaptive limits guide. */
class BulkheadGuideTest {
  final ManualTimeSource time = new ManualTimeSource();

  @Test
  void aFullBulkheadRefusesAtOnce() {
    // tag::fixed[]
    Bulkhead reports =
        Bulkhead.builder("reports")
            .maxConcurrentCalls(1) // at most this many at once
            .maxWait(Duration.ZERO) // the default: refuse at once rather than queue
            .timeSource(time)
            .build();
    // end::fixed[]
    String inner =
        reports.call(
            () -> {
              assertThatThrownBy(() -> reports.call(() -> "second"))
                  .isInstanceOf(BulkheadFullException.class)
                  .hasMessageContaining("reports");
              return "first";
            });
    assertThat(inner).isEqualTo("first");
    assertThat(reports.availablePermits()).isEqualTo(1);
  }

  @Test
  void anAdaptiveLimitShrinksWhenCallsAreDropped() throws Exception {
    // tag::adaptive[]
    AdaptiveBulkhead search =
        AdaptiveBulkhead.builder("search")
            .algorithm(LimitAlgorithm.aimd().build()) // +1 per success, ×0.9 per drop
            .initialLimit(20)
            .minLimit(2)
            .maxLimit(200)
            .timeout(Duration.ofSeconds(1)) // a call slower than this counts as a drop
            .dropWhen(e -> e instanceof IOException) // and so does a failure of this kind
            .timeSource(time)
            .build();
    // end::adaptive[]
    for (int i = 0; i < 5; i++) {
      try {
        search.call(
            () -> {
              throw new IOException("overloaded");
            });
      } catch (IOException expected) {
        // each one is a drop
      }
    }
    assertThat(search.limit()).isLessThan(20);
  }
}
