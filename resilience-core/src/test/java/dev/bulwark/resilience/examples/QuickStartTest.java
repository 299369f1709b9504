package dev.bulwark.resilience.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Pipeline;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.backoff.Jitter;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.circuitbreaker.SlidingWindow;
import dev.bulwark.resilience.fallback.Fallback;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.timeout.Timeout;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The README's quick start, compiled and run, so the README cannot drift from the API. */
class QuickStartTest {

  record Quote(String symbol, double price) {
    static Quote unavailable(String symbol) {
      return new Quote(symbol, Double.NaN);
    }
  }

  /** An upstream that fails twice, then answers. */
  static final class Upstream {
    final AtomicInteger calls = new AtomicInteger();

    Quote fetchQuote(String symbol) throws IOException {
      if (calls.incrementAndGet() <= 2) {
        throw new IOException("connection reset");
      }
      return new Quote(symbol, 101.5);
    }
  }

  static Pipeline quotesPipeline(TimeSource time) {
    // --- README quick start: begin
    Retry retry =
        Retry.builder("quotes")
            .maxAttempts(4)
            .backoff(
                Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2))
                    .jitter(Jitter.full())
                    .build())
            .timeSource(time)
            .build();
    CircuitBreaker breaker =
        CircuitBreaker.builder("quotes")
            .failureRateThreshold(50)
            .slidingWindow(SlidingWindow.count(20))
            .minimumCalls(10)
            .openDuration(Duration.ofSeconds(30))
            .timeSource(time)
            .build();
    Timeout timeout =
        Timeout.builder("quotes").timeout(Duration.ofSeconds(1)).timeSource(time).build();
    Bulkhead bulkhead = Bulkhead.builder("quotes").maxConcurrentCalls(20).build();
    RateLimiter limiter =
        RateLimiter.builder("quotes").rate(100, Duration.ofSeconds(1)).timeSource(time).build();

    // outermost first: each retry attempt asks the breaker, is bounded by the timeout, ...
    return Pipeline.of(retry, breaker, timeout, bulkhead, limiter);
    // --- README quick start: end
  }

  @Test
  void theQuickStartPipelineRetriesThroughTwoFailures() throws IOException {
    var time = new ManualTimeSource();
    Pipeline pipeline = quotesPipeline(time);
    Upstream upstream = new Upstream();
    String symbol = "ACME";

    // --- README quick start call: begin
    Quote quote =
        Fallback.to(Quote.unavailable(symbol))
            .on(RejectedException.class) // refused by the breaker, bulkhead or limiter
            .call(pipeline, () -> upstream.fetchQuote(symbol)); // IOException passes through
    // --- README quick start call: end

    assertThat(quote).isEqualTo(new Quote("ACME", 101.5));
    assertThat(upstream.calls).hasValue(3);
    assertThat(time.sleeps()).hasSize(2);
  }

  @Test
  void aCallThatMeetsTheOpenBreakerFailsFastToTheFallbackWithoutSleeping() throws IOException {
    var time = new ManualTimeSource();
    Pipeline pipeline = quotesPipeline(time);
    CircuitBreaker breaker = (CircuitBreaker) pipeline.policies().get(1);
    for (int i = 0; i < 10; i++) { // a fresh Upstream fails: 10 of 10 failed, open for 30 s
      assertThatThrownBy(() -> breaker.call(() -> new Upstream().fetchQuote("X")))
          .isInstanceOf(IOException.class);
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    String symbol = "ACME";

    Quote quote =
        Fallback.to(Quote.unavailable(symbol))
            .on(RejectedException.class)
            .call(pipeline, () -> new Upstream().fetchQuote(symbol));

    assertThat(quote).isEqualTo(Quote.unavailable(symbol));
    assertThat(time.sleeps()).isEmpty(); // not the breaker's 30 s: maxRetryAfter is 1 s
  }
}
