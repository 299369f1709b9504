package dev.bulwark.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.lifecycle.JobQueue;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.hedge.Hedge;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.streaming.Encoders;
import dev.bulwark.streaming.StreamWriter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BindingLifecycleTest {

  /**
   * Reads a component's private listener list: its {@code toString()} shows how many listeners it
   * holds. No public API counts listeners, and the point here is that there are none left.
   */
  private static String listenersOf(Object component) throws ReflectiveOperationException {
    return field(component, "listeners").toString();
  }

  /** A job queue keeps its listeners with its runners. */
  private static String listenersOf(JobQueue<?> queue) throws ReflectiveOperationException {
    return listenersOf(field(queue, "runners"));
  }

  private static Object field(Object owner, String name) throws ReflectiveOperationException {
    Field field = owner.getClass().getDeclaredField(name);
    field.setAccessible(true);
    return field.get(owner);
  }

  @Test
  void bindingAndClosingTenThousandShortLivedPoliciesLeavesNothingBehind() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<Object> survivors = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      String name = "p" + i;
      CircuitBreaker breaker = CircuitBreaker.builder(name).build();
      Retry retry = Retry.builder(name).build();
      Bulkhead bulkhead = Bulkhead.builder(name).build();
      RateLimiter limiter = RateLimiter.builder(name).rate(1000, Duration.ofSeconds(1)).build();
      MeterBinding binding = BulwarkMetrics.bind(registry, breaker, retry, bulkhead, limiter);
      try {
        breaker.call(() -> 1);
        retry.call(() -> 1);
        bulkhead.call(() -> 1);
        limiter.call(() -> 1);
        assertThat(registry.getMeters()).hasSize(13 + 4 + 4 + 3);
      } finally {
        binding.close();
      }
      assertThat(listenersOf(breaker)).endsWith(", 0]");
      assertThat(listenersOf(retry)).endsWith(", 0]");
      assertThat(listenersOf(limiter)).endsWith(", 0]");
      if (i % 1000 == 0) {
        survivors.add(breaker);
      }
      assertThat(registry.getMeters()).isEmpty();
    }
    assertThat(survivors).hasSize(10);
  }

  @Test
  void closingRemovesTheListenersItAdded() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Hedge hedge = Hedge.builder("h").delay(Duration.ofSeconds(5)).build();
    StreamWriter<CharSequence> writer = StreamWriter.builder("w").encoder(Encoders.lines()).build();
    JobQueue<String> queue = JobQueue.<String>builder("jobs", job -> {}).build();
    for (int i = 0; i < 10_000; i++) {
      MeterBinding binding = BulwarkMetrics.bind(registry, hedge, writer, queue);
      binding.close();
    }
    assertThat(registry.getMeters()).isEmpty();
    assertThat(listenersOf(hedge)).isEqualTo("Listeners[hedge 'h', 0]");
    assertThat(listenersOf(writer)).isEqualTo("Listeners[stream writer 'w', 0]");
    assertThat(listenersOf(queue)).isEqualTo("Listeners[job queue 'jobs', 0]");
    MeterBinding binding = BulwarkMetrics.bind(registry, hedge);
    hedge.call(() -> "ok");
    assertThat(Meters.value(registry, BulwarkMeter.HEDGE_CALLS, "name", "h", "outcome", "success"))
        .isEqualTo(1);
    binding.close();
    assertThat(listenersOf(hedge)).isEqualTo("Listeners[hedge 'h', 0]");
  }
}
