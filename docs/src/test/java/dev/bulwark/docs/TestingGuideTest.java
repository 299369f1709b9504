package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.bulwark.docs.Quotes.Quote;
import dev.bulwark.docs.Quotes.QuoteClient;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.circuitbreaker.SlidingWindow;
import dev.bulwark.resilience.retry.Retry;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The testing guide: virtual time, and a mocked upstream driven through a retry. */
class TestingGuideTest {

  // tag::timeline[]
  @Test
  void halfOpensAfterTheOpenDuration() {
    var time = new ManualTimeSource();
    var breaker =
        CircuitBreaker.builder("t")
            .slidingWindow(SlidingWindow.count(4))
            .minimumCalls(4)
            .openDuration(Duration.ofSeconds(30))
            .timeSource(time)
            .build();
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(() -> breaker.call(() -> fail("down"))).isInstanceOf(IOException.class);
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    time.advance(Duration.ofSeconds(30)); // no sleeping, no timer thread
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN); // strictly after, as in r4j
    time.advance(Duration.ofNanos(1));
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
  }

  // end::timeline[]

  // tag::mockito[]
  @Test
  void retriesAMockedClientThatFailsTwiceThenAnswers() throws IOException {
    QuoteClient client = mock(QuoteClient.class);
    when(client.fetch("ACME"))
        .thenThrow(new IOException("connection reset"))
        .thenThrow(new IOException("connection reset"))
        .thenReturn(new Quote("ACME", 101.5));
    var time = new ManualTimeSource();
    Retry retry =
        Retry.builder("quotes")
            .maxAttempts(3)
            .backoff(Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2)).build())
            .timeSource(time)
            .build();

    Quote quote = retry.call(() -> client.fetch("ACME"));

    assertThat(quote).isEqualTo(new Quote("ACME", 101.5));
    verify(client, times(3)).fetch("ACME");
    assertThat(time.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(300)); // and no real time passed
  }

  // end::mockito[]

  static String fail(String why) throws IOException {
    throw new IOException(why);
  }
}
