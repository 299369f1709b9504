package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.fanout.FanOut;
import dev.bulwark.resilience.fanout.Outcome;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fan-out guide. */
class FanOutGuideTest {

  @Test
  void collectsEveryOutcomeWithinTheDeadline() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(20),
        () -> {
          // tag::fanout[]
          FanOut prices =
              FanOut.builder("prices")
                  .maxConcurrency(8) // at most 8 upstream calls at once, on virtual threads
                  .timeout(Duration.ofSeconds(2)) // what has not finished by then is cancelled
                  .build();
          List<Outcome<Double>> outcomes =
              prices.map(List.of("ACME", "INIT", "GONE"), symbol -> price(symbol));
          List<Double> found = Outcome.successes(outcomes); // and Outcome.failures(outcomes)
          // end::fanout[]
          assertThat(found).containsExactly(101.5, 101.5);
          assertThat(Outcome.failures(outcomes)).singleElement().isInstanceOf(IOException.class);
        });
  }

  static double price(String symbol) throws IOException {
    if (symbol.equals("GONE")) {
      throw new IOException("delisted");
    }
    return 101.5;
  }
}
