package dev.bulwark.metrics;

import static dev.bulwark.metrics.Meters.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.circuitbreaker.SlidingWindow;
import dev.bulwark.resilience.fallback.Fallback;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.retry.RetryBudget;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PolicyMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ManualTimeSource time = new ManualTimeSource();

  @Test
  void breakerCountsSuccessesFailuresAndRefusalsAndShowsItsState() throws Exception {
    CircuitBreaker breaker =
        CircuitBreaker.builder("payments")
            .slidingWindow(SlidingWindow.count(20))
            .minimumCalls(11)
            .failureRateThreshold(25)
            .ignore(IllegalStateException.class)
            .timeSource(time)
            .build();
    breaker.call(() -> "before binding: not counted");
    MeterBinding binding = BulwarkMetrics.bind(registry, breaker);
    try {
      assertThat(
              value(
                  registry,
                  BulwarkMeter.CIRCUITBREAKER_STATE,
                  "name",
                  "payments",
                  "state",
                  "closed"))
          .isEqualTo(1);
      for (int i = 0; i < 6; i++) {
        breaker.call(() -> "ok");
      }
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(
                () ->
                    breaker.call(
                        () -> {
                          throw new IOException("down");
                        }))
            .isInstanceOf(IOException.class);
      }
      assertThatThrownBy(
              () ->
                  breaker.call(
                      () -> {
                        throw new IllegalStateException("ignored");
                      }))
          .isInstanceOf(IllegalStateException.class);
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
      breaker.call(() -> "the 11th call in the window: 3 of 11 failed, 27 % >= 25 %: trips");
      assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> breaker.call(() -> "refused"))
            .isInstanceOf(RejectedException.class);
      }

      assertThat(calls("success")).isEqualTo(7);
      assertThat(calls("failure")).isEqualTo(3);
      assertThat(calls("refused")).isEqualTo(2);
      assertThat(calls("ignored")).isEqualTo(1);
      assertThat(
              value(
                  registry, BulwarkMeter.CIRCUITBREAKER_STATE, "name", "payments", "state", "open"))
          .isEqualTo(1);
      assertThat(
              value(
                  registry,
                  BulwarkMeter.CIRCUITBREAKER_STATE,
                  "name",
                  "payments",
                  "state",
                  "closed"))
          .isEqualTo(0);
      assertThat(value(registry, BulwarkMeter.CIRCUITBREAKER_FAILURE_RATE, "name", "payments"))
          .isEqualTo(100f * 3 / 11);
      assertThat(value(registry, BulwarkMeter.CIRCUITBREAKER_BUFFERED_CALLS, "name", "payments"))
          .isEqualTo(11);
      assertThat(value(registry, BulwarkMeter.CIRCUITBREAKER_SLOW_CALLS, "name", "payments"))
          .isEqualTo(0);
      assertThat(value(registry, BulwarkMeter.CIRCUITBREAKER_SLOW_CALL_RATE, "name", "payments"))
          .isEqualTo(0);

      time.advance(Duration.ofSeconds(61));
      assertThat(
              value(
                  registry,
                  BulwarkMeter.CIRCUITBREAKER_STATE,
                  "name",
                  "payments",
                  "state",
                  "half_open"))
          .isEqualTo(1);
    } finally {
      binding.close();
    }
    assertThat(registry.getMeters()).isEmpty();
  }

  private double calls(String outcome) {
    return value(
        registry, BulwarkMeter.CIRCUITBREAKER_CALLS, "name", "payments", "outcome", outcome);
  }

  @Test
  void retryCountsTheFourKindsOfCall() throws Exception {
    Retry retry =
        Retry.builder("quotes")
            .maxAttempts(2)
            .backoff(Backoff.fixed(Duration.ofMillis(10)).build())
            .retryOn(IOException.class)
            .timeSource(time)
            .build();
    BulwarkMetrics.bind(registry, retry);
    retry.call(() -> "first time");
    AtomicInteger attempts = new AtomicInteger();
    retry.call(
        () -> {
          if (attempts.incrementAndGet() == 1) {
            throw new IOException("once");
          }
          return "second time";
        });
    assertThatThrownBy(
            () ->
                retry.call(
                    () -> {
                      throw new IOException("always");
                    }))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(
            () ->
                retry.call(
                    () -> {
                      throw new IllegalArgumentException("not retried");
                    }))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                retry.call(
                    () -> {
                      throw new IllegalArgumentException("again");
                    }))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(retryCalls("success_without_retry")).isEqualTo(1);
    assertThat(retryCalls("success_with_retry")).isEqualTo(1);
    assertThat(retryCalls("failure_with_retry")).isEqualTo(1);
    assertThat(retryCalls("failure_without_retry")).isEqualTo(2);
  }

  private double retryCalls(String outcome) {
    return value(registry, BulwarkMeter.RETRY_CALLS, "name", "quotes", "outcome", outcome);
  }

  @Test
  void retryBudgetCountsGrantedAndDeniedRetriesAndShowsWhatIsLeft() {
    RetryBudget budget =
        RetryBudget.builder().ratio(0.5).minRetriesPerSecond(1).timeSource(time).build();
    BulwarkMetrics.of("shared", budget).bindTo(registry);
    for (int i = 0; i < 10; i++) {
      budget.recordRequest();
    }
    double available = value(registry, BulwarkMeter.RETRYBUDGET_AVAILABLE, "name", "shared");
    assertThat(available).isEqualTo(budget.available()).isPositive();
    int granted = 0;
    while (budget.tryAcquireRetry()) {
      granted++;
    }
    budget.tryAcquireRetry();
    assertThat(granted).isEqualTo((long) available);
    assertThat(
            value(
                registry, BulwarkMeter.RETRYBUDGET_RETRIES, "name", "shared", "outcome", "granted"))
        .isEqualTo(granted);
    assertThat(
            value(
                registry, BulwarkMeter.RETRYBUDGET_RETRIES, "name", "shared", "outcome", "denied"))
        .isEqualTo(2);
    assertThat(value(registry, BulwarkMeter.RETRYBUDGET_AVAILABLE, "name", "shared")).isZero();
  }

  @Test
  void bulkheadCountsPermitsAndRefusalsAndShowsItsSaturation() throws Exception {
    Bulkhead bulkhead = Bulkhead.builder("db").maxConcurrentCalls(2).timeSource(time).build();
    BulwarkMetrics.bind(registry, bulkhead);
    bulkhead.call(() -> "one");
    try (var a = bulkhead.acquirePermit();
        var b = bulkhead.acquirePermit()) {
      assertThat(value(registry, BulwarkMeter.BULKHEAD_AVAILABLE_PERMITS, "name", "db")).isZero();
      assertThatThrownBy(() -> bulkhead.call(() -> "full")).isInstanceOf(RejectedException.class);
      assertThat(a).isNotSameAs(b);
    }
    assertThat(value(registry, BulwarkMeter.BULKHEAD_CALLS, "name", "db", "outcome", "permitted"))
        .isEqualTo(3);
    assertThat(value(registry, BulwarkMeter.BULKHEAD_CALLS, "name", "db", "outcome", "refused"))
        .isEqualTo(1);
    assertThat(value(registry, BulwarkMeter.BULKHEAD_AVAILABLE_PERMITS, "name", "db")).isEqualTo(2);
    assertThat(value(registry, BulwarkMeter.BULKHEAD_LIMIT, "name", "db")).isEqualTo(2);
  }

  @Test
  void rateLimiterCountsGrantedAndRefusedRequests() throws Exception {
    RateLimiter limiter =
        RateLimiter.builder("api").rate(3, Duration.ofSeconds(1)).burst(3).timeSource(time).build();
    BulwarkMetrics.bind(registry, limiter);
    assertThat(value(registry, BulwarkMeter.RATELIMITER_AVAILABLE_PERMITS, "name", "api"))
        .isEqualTo(3);
    limiter.call(() -> "one");
    assertThat(limiter.tryAcquire(2)).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    assertThatThrownBy(() -> limiter.call(() -> "refused")).isInstanceOf(RejectedException.class);
    assertThat(
            value(registry, BulwarkMeter.RATELIMITER_CALLS, "name", "api", "outcome", "permitted"))
        .isEqualTo(2);
    assertThat(value(registry, BulwarkMeter.RATELIMITER_CALLS, "name", "api", "outcome", "refused"))
        .isEqualTo(2);
    assertThat(value(registry, BulwarkMeter.RATELIMITER_AVAILABLE_PERMITS, "name", "api")).isZero();
  }

  @Test
  void keyedRateLimiterCountsRequestsAndKeysButNeverTagsAKey() {
    KeyedRateLimiter<Object> limiter =
        KeyedRateLimiter.builder("per-client")
            .rate(1, Duration.ofSeconds(1))
            .timeSource(time)
            .build();
    BulwarkMetrics.bind(registry, limiter);
    for (int client = 0; client < 50; client++) {
      assertThat(limiter.tryAcquire("client-" + client)).isTrue();
      assertThat(limiter.tryAcquire("client-" + client)).isFalse();
    }
    assertThat(
            value(
                registry,
                BulwarkMeter.RATELIMITER_CALLS,
                "name",
                "per-client",
                "outcome",
                "permitted"))
        .isEqualTo(50);
    assertThat(
            value(
                registry,
                BulwarkMeter.RATELIMITER_CALLS,
                "name",
                "per-client",
                "outcome",
                "refused"))
        .isEqualTo(50);
    assertThat(value(registry, BulwarkMeter.RATELIMITER_KEYS, "name", "per-client")).isEqualTo(50);
    assertThat(registry.getMeters())
        .allSatisfy(m -> assertThat(m.getId().getTags().toString()).doesNotContain("client-"))
        .hasSize(3);
  }

  @Test
  void fallbackCountsSuccessesFallbacksAndFailuresPassedOn() throws Exception {
    Fallback<String> fallback = Fallback.to("cached").on(IOException.class).named("quote-cache");
    BulwarkMetrics.bind(registry, fallback);
    assertThat(fallback.call(() -> "fresh")).isEqualTo("fresh");
    assertThat(
            fallback.call(
                () -> {
                  throw new IOException("down");
                }))
        .isEqualTo("cached");
    assertThat(
            fallback.call(
                () -> {
                  throw new IOException("down");
                }))
        .isEqualTo("cached");
    assertThatThrownBy(
            () ->
                fallback.call(
                    () -> {
                      throw new IllegalStateException("bug");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(
            value(
                registry, BulwarkMeter.FALLBACK_CALLS, "name", "quote-cache", "outcome", "success"))
        .isEqualTo(1);
    assertThat(
            value(
                registry,
                BulwarkMeter.FALLBACK_CALLS,
                "name",
                "quote-cache",
                "outcome",
                "fallback"))
        .isEqualTo(2);
    assertThat(
            value(
                registry, BulwarkMeter.FALLBACK_CALLS, "name", "quote-cache", "outcome", "failure"))
        .isEqualTo(1);
  }

  @Test
  void rebindingContinuesTheTotalsAndABindingBindsOnlyOnce() throws Exception {
    Bulkhead bulkhead = Bulkhead.builder("db").timeSource(time).build();
    MeterBinding binding = BulwarkMetrics.of(bulkhead);
    binding.bindTo(registry);
    assertThatThrownBy(() -> binding.bindTo(new SimpleMeterRegistry()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("close() it before binding it again");
    bulkhead.call(() -> "one");
    binding.close();
    binding.close();
    assertThat(registry.getMeters()).isEmpty();
    bulkhead.call(() -> "two");
    binding.bindTo(registry);
    assertThat(value(registry, BulwarkMeter.BULKHEAD_CALLS, "name", "db", "outcome", "permitted"))
        .isEqualTo(2);
  }

  @Test
  void refusesWhatItCannotMeasureAndSaysWhy() {
    assertThatThrownBy(() -> BulwarkMetrics.of("not a component"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no meters for java.lang.String");
    assertThatThrownBy(() -> BulwarkMetrics.of((Object) RetryBudget.builder().build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BulwarkMetrics.of(name, budget)");
  }
}
