package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.docs.Quotes.Quote;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.fallback.Fallback;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fallback guide. */
class FallbackGuideTest {
  final Map<String, Quote> lastKnown = Map.of("ACME", new Quote("ACME", 99.0));

  @Test
  void anOpenCircuitFallsBackToTheLastKnownQuote() throws IOException {
    CircuitBreaker breaker =
        CircuitBreaker.builder("quotes").timeSource(new ManualTimeSource()).build();
    breaker.forceOpen();
    String symbol = "ACME";
    // tag::fallback[]
    Fallback<Quote> lastKnownQuote =
        Fallback.<Quote>of(failure -> lastKnown.getOrDefault(symbol, Quote.unavailable(symbol)))
            .on(RejectedException.class, IOException.class) // only these; others pass through
            .named("quotes-fallback");
    Quote quote = lastKnownQuote.call(breaker, () -> fetchLive(symbol));
    // end::fallback[]
    assertThat(quote).isEqualTo(new Quote("ACME", 99.0));
  }

  static Quote fetchLive(String symbol) throws IOException {
    throw new IOException("unreachable for " + symbol);
  }
}
