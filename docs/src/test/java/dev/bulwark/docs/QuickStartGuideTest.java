package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.docs.Quotes.Quote;
import dev.bulwark.docs.Quotes.QuoteClient;
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
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.timeout.Timeout;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The quick start page: one pipeline around one call. */
class QuickStartGuideTest {

  static Pipeline quotesPipeline(TimeSource time) {
    // tag::pipeline[]
    Retry retry =
        Retry.builder("quotes")
            .maxAttempts(4)
            .backoff(
                Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2))
                    .jitter(Jitter.full())
                    .build())
            .timeSource(time) // leave out in production: the system clock is the default
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

    // outermost first: each retry attempt asks the breaker, is bounded by the timeout, ...
    Pipeline pipeline = Pipeline.of(retry, breaker, timeout, bulkhead);
    // end::pipeline[]
    return pipeline;
  }

  @Test
  void thePipelineRetriesThroughTwoFailuresInVirtualTime() throws IOException {
    var time = new ManualTimeSource();
    Pipeline pipeline = quotesPipeline(time);
    AtomicInteger calls = new AtomicInteger();
    QuoteClient upstream =
        symbol -> {
          if (calls.incrementAndGet() <= 2) {
            throw new IOException("connection reset");
          }
          return new Quote(symbol, 101.5);
        };
    String symbol = "ACME";

    // tag::call[]
    Quote quote =
        Fallback.to(Quote.unavailable(symbol))
            .on(RejectedException.class) // refused by the breaker or the bulkhead
            .call(pipeline, () -> upstream.fetch(symbol)); // IOException passes through
    // end::call[]

    assertThat(quote).isEqualTo(new Quote("ACME", 101.5));
    assertThat(calls).hasValue(3);
    assertThat(time.sleeps()).hasSize(2);
  }
}
