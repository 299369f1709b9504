package dev.bulwark.samples;

import dev.bulwark.lifecycle.JobQueue;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.bulkhead.BulkheadEvent;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.circuitbreaker.CircuitBreakerEvent;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimiterEvent;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.retry.RetryEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * The service's meters, served at {@code /metrics} in Prometheus format.
 *
 * <p>This class is the seam for the {@code metrics} module: its binders cover every policy, stream
 * and worker from their events; until it is wired in, the few meters below are bound here by hand
 * from the same events, with the same naming rules ({@code bulwark.} prefix, base units, tag {@code
 * name}).
 */
final class ServiceMetrics {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  ServiceMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  void bindBreaker(CircuitBreaker breaker) {
    for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
      Gauge.builder("bulwark.circuitbreaker.state", breaker, b -> b.state() == state ? 1 : 0)
          .tag("name", breaker.name())
          .tag("state", state.name().toLowerCase())
          .description("1 for the breaker's current state, 0 for the others")
          .register(registry);
    }
    breaker.subscribe(
        event -> {
          switch (event) {
            case CircuitBreakerEvent.Success s -> calls(breaker.name(), "success").increment();
            case CircuitBreakerEvent.Failure f -> calls(breaker.name(), "failure").increment();
            case CircuitBreakerEvent.CallNotPermitted n ->
                calls(breaker.name(), "not_permitted").increment();
            case CircuitBreakerEvent.StateTransition t ->
                Counter.builder("bulwark.circuitbreaker.transitions")
                    .tag("name", t.policyName())
                    .tag("from", t.from().name().toLowerCase())
                    .tag("to", t.to().name().toLowerCase())
                    .register(registry)
                    .increment();
            default -> {}
          }
        });
  }

  private Counter calls(String name, String outcome) {
    return Counter.builder("bulwark.circuitbreaker.calls")
        .tag("name", name)
        .tag("outcome", outcome)
        .register(registry);
  }

  void bindRetry(Retry retry) {
    retry.subscribe(
        event -> {
          String outcome =
              switch (event) {
                case RetryEvent.Retrying r -> "retry";
                case RetryEvent.Succeeded s -> "success";
                case RetryEvent.Failed f -> "failure";
                case RetryEvent.BudgetExhausted b -> "budget_exhausted";
              };
          Counter.builder("bulwark.retry.events")
              .tag("name", retry.name())
              .tag("kind", outcome)
              .register(registry)
              .increment();
        });
  }

  void bindBulkhead(Bulkhead bulkhead) {
    Gauge.builder("bulwark.bulkhead.available", bulkhead, Bulkhead::availablePermits)
        .tag("name", bulkhead.name())
        .register(registry);
    Gauge.builder("bulwark.bulkhead.limit", bulkhead, b -> b.config().maxConcurrentCalls())
        .tag("name", bulkhead.name())
        .register(registry);
    bulkhead.subscribe(
        event -> {
          if (event instanceof BulkheadEvent.Rejected) {
            Counter.builder("bulwark.bulkhead.rejected")
                .tag("name", bulkhead.name())
                .register(registry)
                .increment();
          }
        });
  }

  void bindLimiter(KeyedRateLimiter<?> limiter) {
    Gauge.builder("bulwark.ratelimiter.keys", limiter, KeyedRateLimiter::trackedKeys)
        .tag("name", limiter.name())
        .register(registry);
    limiter.subscribe(
        event -> {
          if (event instanceof RateLimiterEvent.Refused) {
            Counter.builder("bulwark.ratelimiter.refused")
                .tag("name", limiter.name())
                .register(registry)
                .increment();
          }
        });
  }

  void bindJobs(JobQueue<?> queue) {
    Gauge.builder("bulwark.jobs.queued", queue, JobQueue::queued)
        .tag("name", queue.name())
        .register(registry);
    Gauge.builder("bulwark.jobs.running", queue, JobQueue::running)
        .tag("name", queue.name())
        .register(registry);
  }

  /** Records one HTTP request, tagged by its route template (not the raw path). */
  void recordRequest(String method, String route, int status, Duration elapsed) {
    Timer.builder("http.server.requests")
        .tag("method", method)
        .tag("uri", route)
        .tag("status", Integer.toString(status))
        .register(registry)
        .record(elapsed);
  }

  String scrape() {
    return registry.scrape();
  }
}
