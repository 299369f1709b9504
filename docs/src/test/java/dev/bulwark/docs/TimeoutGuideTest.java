package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.timeout.Deadline;
import dev.bulwark.resilience.timeout.Timeout;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The timeouts and deadlines guide. */
class TimeoutGuideTest {

  @Test
  void nestedCodeSeesTheDeadlineAndBoundsItsOwnWaits() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(20),
        () -> {
          // tag::timeout[]
          Timeout requestTimeout =
              Timeout.builder("checkout").timeout(Duration.ofSeconds(2)).build();
          String page = requestTimeout.call(() -> renderCheckout());
          // end::timeout[]
          assertThat(page).startsWith("page rendered with");
        });
  }

  // tag::deadline[]
  static String renderCheckout() throws InterruptedException {
    Duration left = Deadline.current().map(Deadline::remaining).orElse(Duration.ofSeconds(5));
    Duration forPrices = left.compareTo(Duration.ofMillis(500)) < 0 ? left : Duration.ofMillis(500);
    return "page rendered with " + fetchPrices(forPrices); // a nested wait never outlives the call
  }

  // end::deadline[]

  static String fetchPrices(Duration atMost) {
    assertThat(atMost).isPositive().isLessThanOrEqualTo(Duration.ofMillis(500));
    return "prices";
  }
}
