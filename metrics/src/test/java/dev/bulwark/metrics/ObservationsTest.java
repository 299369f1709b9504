package dev.bulwark.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Pipeline;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.retry.Retry;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ObservationsTest {

  /** Records each stopped observation as its name and low-cardinality key values. */
  private final List<String> stopped = new ArrayList<>();

  private final ObservationRegistry registry = ObservationRegistry.create();

  {
    registry
        .observationConfig()
        .observationHandler(
            new ObservationHandler<>() {
              @Override
              public boolean supportsContext(Observation.Context context) {
                return true;
              }

              @Override
              public void onStop(Observation.Context context) {
                Map<String, String> keys = new TreeMap<>();
                for (KeyValue kv : context.getLowCardinalityKeyValues()) {
                  keys.put(kv.getKey(), kv.getValue());
                }
                stopped.add(context.getName() + " " + keys);
              }
            });
  }

  @Test
  void observesEachCallAndEachAttemptWithItsOutcome() throws Exception {
    ManualTimeSource time = new ManualTimeSource();
    Retry retry =
        Retry.builder("quotes")
            .maxAttempts(3)
            .backoff(Backoff.fixed(Duration.ofMillis(10)).build())
            .retryOn(IOException.class)
            .timeSource(time)
            .build();
    Policy observed =
        BulwarkObservations.observe(
            registry,
            "quotes",
            Pipeline.of(retry, BulwarkObservations.attempts(registry, "quotes")));
    AtomicInteger calls = new AtomicInteger();
    String result =
        observed.call(
            () -> {
              if (calls.incrementAndGet() < 3) {
                throw new IOException("flaky");
              }
              return "third time";
            });
    assertThat(result).isEqualTo("third time");
    assertThat(stopped)
        .containsExactly(
            "bulwark.attempt {attempt=1, bulwark.name=quotes, outcome=failure, refused.by=none}",
            "bulwark.attempt {attempt=2, bulwark.name=quotes, outcome=failure, refused.by=none}",
            "bulwark.attempt {attempt=3, bulwark.name=quotes, outcome=success, refused.by=none}",
            "bulwark.call {bulwark.name=quotes, outcome=success, refused.by=none}");
  }

  @Test
  void namesThePolicyThatRefused() throws Exception {
    Bulkhead bulkhead = Bulkhead.builder("db").maxConcurrentCalls(1).build();
    Policy observed = BulwarkObservations.observe(registry, "orders", bulkhead);
    var held = bulkhead.acquirePermit();
    try {
      assertThatThrownBy(() -> observed.call(() -> "refused"))
          .isInstanceOf(RejectedException.class);
    } finally {
      held.close();
    }
    assertThat(stopped)
        .containsExactly("bulwark.call {bulwark.name=orders, outcome=refused, refused.by=db}");
  }
}
