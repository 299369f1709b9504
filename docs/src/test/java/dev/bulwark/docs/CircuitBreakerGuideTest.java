package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.circuitbreaker.CircuitOpenException;
import dev.bulwark.resilience.circuitbreaker.SlidingWindow;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The circuit breaker guide. */
class CircuitBreakerGuideTest {
  final ManualTimeSource time = new ManualTimeSource();

  CircuitBreaker paymentsBreaker() {
    // tag::configure[]
    CircuitBreaker breaker =
        CircuitBreaker.builder("payments")
            .failureRateThreshold(50) // percent of recorded calls
            .slidingWindow(SlidingWindow.count(20)) // the last 20 outcomes
            .minimumCalls(10) // no verdict on fewer
            .slowCallDuration(Duration.ofSeconds(2)) // slower calls count as slow ...
            .slowCallRateThreshold(80) // ... and 80 % slow calls open the circuit too
            .openDuration(
                Backoff.exponential(Duration.ofSeconds(10), Duration.ofMinutes(5)).build())
            .permittedCallsInHalfOpen(5)
            .ignore(IllegalArgumentException.class) // the caller's bug, not the upstream's
            .timeSource(time)
            .build();
    // end::configure[]
    return breaker;
  }

  @Test
  void opensAfterTenFailuresAndTellsWhenToComeBack() {
    CircuitBreaker breaker = paymentsBreaker();
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> breaker.call(() -> fail("timeout from the PSP")))
          .isInstanceOf(IOException.class);
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);

    // tag::refusal[]
    try {
      breaker.call(() -> charge("order-17"));
    } catch (CircuitOpenException refused) {
      Optional<Duration> retryAfter = refused.retryAfter(); // for a Retry-After header
      log(refused.getMessage()); // circuit 'payments' is OPEN; calls permitted again in 10.0s
    }
    // end::refusal[]

    assertThatThrownBy(() -> breaker.call(() -> charge("order-18")))
        .isInstanceOf(CircuitOpenException.class)
        .hasMessageContaining("'payments' is OPEN")
        .satisfies(
            e -> {
              Duration retryAfter = ((CircuitOpenException) e).retryAfter().orElseThrow();
              assertThat(retryAfter).isBetween(Duration.ofSeconds(10), Duration.ofMillis(10_001));
              time.advance(retryAfter); // the refusal says exactly when to come back
            });
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
  }

  @Test
  void aPermitReportsWorkThatIsNotOneCall() {
    CircuitBreaker breaker = paymentsBreaker();
    // tag::permit[]
    Optional<Permit> permit = breaker.tryAcquirePermit(); // empty while OPEN
    if (permit.isPresent()) {
      try (Permit p = permit.get()) {
        streamRowsToTheClient();
        p.onSuccess(); // or p.onFailure(e); closing without either records nothing
      }
    }
    // end::permit[]
    assertThat(permit).isPresent();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  static String fail(String why) throws IOException {
    throw new IOException(why);
  }

  static String charge(String order) {
    return "charged " + order;
  }

  static void log(String message) {
    assertThat(message).contains("payments");
  }

  static void streamRowsToTheClient() {}
}
