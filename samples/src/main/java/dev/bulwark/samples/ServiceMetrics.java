package dev.bulwark.samples;

import dev.bulwark.metrics.BulwarkMetrics;
import dev.bulwark.resilience.retry.RetryBudget;
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
 * <p>Bulwark's components are bound by the {@code metrics} module's {@link BulwarkMetrics} (every
 * series is listed in {@code metrics/METERS.md}); the JVM's come from Micrometer's own binders, and
 * the HTTP requests the service answers are timed here. The {@code http-client}'s {@code
 * ResilientHttpClient} has no binder of its own: its breaker and bulkhead are the service's, and
 * bound as such.
 */
final class ServiceMetrics {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  ServiceMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  /**
   * Binds the meters of a retry budget (named here: a budget has no name of its own) and of every
   * other component: policies, stream writers, supervisors, job queues.
   */
  void bind(String budgetName, RetryBudget budget, Object... components) {
    BulwarkMetrics.of(budgetName, budget).bindTo(registry);
    BulwarkMetrics.bind(registry, components);
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
