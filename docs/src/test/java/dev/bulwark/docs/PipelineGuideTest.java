package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Pipeline;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.timeout.Timeout;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The composing-a-pipeline guide. */
class PipelineGuideTest {
  final ManualTimeSource time = new ManualTimeSource();

  @Test
  void theRecommendedOrderRunsTheCallOnce() throws Exception {
    // tag::order[]
    Timeout total = Timeout.builder("total").timeout(Duration.ofSeconds(10)).build();
    Retry retry = Retry.builder("orders").maxAttempts(3).timeSource(time).build();
    CircuitBreaker breaker = CircuitBreaker.builder("orders").timeSource(time).build();
    Bulkhead bulkhead = Bulkhead.builder("orders").maxConcurrentCalls(50).build();
    RateLimiter limiter =
        RateLimiter.builder("orders").rate(200, Duration.ofSeconds(1)).timeSource(time).build();
    Timeout attempt = Timeout.builder("attempt").timeout(Duration.ofSeconds(2)).build();

    // outermost first: total timeout > retry > breaker > bulkhead > limiter > attempt timeout
    Pipeline orders = Pipeline.of(total, retry, breaker, bulkhead, limiter, attempt);
    // end::order[]
    assertThat(orders.policies()).hasSize(6);
    assertThat(orders.call(() -> "order 7 placed")).isEqualTo("order 7 placed");
  }
}
