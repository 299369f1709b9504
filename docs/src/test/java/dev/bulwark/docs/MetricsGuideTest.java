package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.metrics.BulwarkMetrics;
import dev.bulwark.metrics.MeterBinding;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Pipeline;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.retry.Retry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The metrics page: binding policies to a registry, and a scrape endpoint Prometheus reads. */
class MetricsGuideTest {

  @Test
  void boundPoliciesAreCountedAndClosingTheBindingRemovesTheirMeters() throws Exception {
    var time = new ManualTimeSource();
    CircuitBreaker breaker = CircuitBreaker.builder("quotes").timeSource(time).build();
    Retry retry = Retry.builder("quotes").timeSource(time).build();

    // tag::bind[]
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MeterBinding metrics = BulwarkMetrics.bind(registry, breaker, retry);
    // ... and when the policies are retired: metrics.close() removes what it added
    // end::bind[]

    Pipeline.of(retry, breaker).call(() -> "ok");
    assertThat(registry.scrape())
        .contains("bulwark_circuitbreaker_calls_total{name=\"quotes\",outcome=\"success\"} 1.0")
        .contains(
            "bulwark_retry_calls_total{name=\"quotes\",outcome=\"success_without_retry\"} 1.0");

    metrics.close();
    assertThat(registry.find("bulwark.circuitbreaker.calls").meters()).isEmpty();
    assertThat(registry.find("bulwark.retry.calls").meters()).isEmpty();
  }

  @Test
  void prometheusScrapesTheBoundMetersOverHttp() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CircuitBreaker breaker = CircuitBreaker.builder("quotes").build();
    MeterBinding metrics = BulwarkMetrics.bind(registry, breaker);
    HttpServer server = null;
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      breaker.call(() -> "ok");
      InetAddress address = InetAddress.getLoopbackAddress();
      // tag::scrape[]
      // any HTTP server will do; this is the JDK's own, on the port Prometheus scrapes
      server = HttpServer.create(new InetSocketAddress(address, 0), 0);
      server.createContext(
          "/metrics",
          exchange -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.setExecutor(executor);
      server.start();
      // end::scrape[]
      URI uri =
          URI.create(
              "http://"
                  + address.getHostAddress()
                  + ":"
                  + server.getAddress().getPort()
                  + "/metrics");
      HttpResponse<String> response =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () -> {
                try (HttpClient client = HttpClient.newHttpClient()) {
                  return client.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString());
                }
              });

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body())
          .contains("bulwark_circuitbreaker_calls_total{name=\"quotes\",outcome=\"success\"} 1.0")
          .contains("bulwark_circuitbreaker_state{name=\"quotes\",state=\"closed\"} 1.0");
    } finally {
      if (server != null) {
        server.stop(0);
      }
      metrics.close();
    }
  }
}
