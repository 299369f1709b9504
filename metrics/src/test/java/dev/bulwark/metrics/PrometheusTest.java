package dev.bulwark.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.TimeSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard and the alert rules against a real Prometheus: a driven app exposes its meters on
 * 127.0.0.1, Prometheus scrapes it every second, and every {@code expr} of the dashboard JSON and
 * the rule file must return data through Prometheus's query API. A panel with no data fails here.
 */
class PrometheusTest {

  private static final Path DASHBOARD =
      Path.of("src/main/resources/dev/bulwark/metrics/bulwark-dashboard.json");
  private static final Path RULES =
      Path.of("src/main/resources/dev/bulwark/metrics/bulwark-alerts.yml");
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void everyDashboardAndAlertExpressionReturnsData(@TempDir Path dir) throws Exception {
    Path prometheus = ExternalTools.require("prometheus");
    Map<String, String> exprs = expressions();
    assertThat(exprs).hasSizeGreaterThan(40);
    assertTimeoutPreemptively(
        Duration.ofMinutes(4),
        () -> {
          try (DrivenApp app = new DrivenApp()) {
            int port = freePort();
            Files.copy(RULES, dir.resolve("rules.yml"));
            Files.writeString(
                dir.resolve("prometheus.yml"),
                """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - rules.yml
                scrape_configs:
                  - job_name: bulwark
                    metrics_path: /metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """
                    .formatted(app.port()));
            Process server =
                new ProcessBuilder(
                        prometheus.toString(),
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            try {
              check(port, exprs, dir);
            } finally {
              server.destroy();
              if (!server.waitFor(15, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
              }
            }
          }
        });
  }

  private void check(int port, Map<String, String> exprs, Path dir) throws Exception {
    Instant deadline = Instant.now().plus(DEADLINE);
    String ready = "";
    while (!ready.contains("Ready") && Instant.now().isBefore(deadline)) {
      ready = get(URI.create("http://127.0.0.1:" + port + "/-/ready"));
      pause();
    }
    assertThat(ready).as("Prometheus became ready; log: %s", log(dir)).contains("Ready");
    Map<String, String> missing = new LinkedHashMap<>(exprs);
    Map<String, String> lastAnswer = new LinkedHashMap<>();
    while (!missing.isEmpty() && Instant.now().isBefore(deadline)) {
      for (var it = missing.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        String query = e.getKey().replace("$__rate_interval", "1m").replace("$name", ".*");
        String body =
            get(
                URI.create(
                    "http://127.0.0.1:"
                        + port
                        + "/api/v1/query?query="
                        + URLEncoder.encode(query, StandardCharsets.UTF_8)));
        lastAnswer.put(e.getKey(), body);
        if (body.contains("\"status\":\"success\"") && !body.contains("\"result\":[]")) {
          it.remove();
        }
      }
      if (!missing.isEmpty()) {
        pause();
      }
    }
    List<String> failures = new ArrayList<>();
    missing.forEach(
        (expr, where) -> failures.add(where + ": " + expr + " -> " + lastAnswer.get(expr)));
    assertThat(failures).as("expressions without data after %s", DEADLINE).isEmpty();
  }

  private static void pause() throws InterruptedException {
    TimeSource.system().sleep(Duration.ofMillis(500));
  }

  private String get(URI uri) throws InterruptedException {
    try {
      return http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException notYet) {
      return "unreachable: " + notYet;
    }
  }

  private static String log(Path dir) throws IOException {
    Path log = dir.resolve("prometheus.log");
    return Files.exists(log) ? Files.readString(log) : "(none)";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Every expr of the dashboard and the rules, mapped to where it comes from. */
  static Map<String, String> expressions() throws IOException {
    Map<String, String> exprs = new LinkedHashMap<>();
    Matcher json =
        Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"")
            .matcher(Files.readString(DASHBOARD));
    while (json.find()) {
      exprs.put(unescape(json.group(1)), "dashboard");
    }
    Matcher yaml = Pattern.compile("(?m)^\\s*expr:\\s*(.+)$").matcher(Files.readString(RULES));
    while (yaml.find()) {
      exprs.put(yaml.group(1).strip(), "alert rules");
    }
    return exprs;
  }

  private static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        switch (n) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'u' -> {
            b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
            i += 4;
          }
          default -> b.append(n);
        }
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
