package dev.bulwark.docs.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.timeout.Timeout;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The migration page maps every setting of resilience4j's five config builders, and every Bulwark
 * setting it names exists.
 */
class Resilience4jMappingTest {

  record Mapping(String tableId, Class<?> resilience4j, List<Class<?>> bulwark) {
    @Override
    public String toString() {
      return tableId;
    }
  }

  static List<Mapping> mappings() {
    return List.of(
        new Mapping(
            "r4j-circuitbreaker",
            CircuitBreakerConfig.Builder.class,
            List.of(CircuitBreaker.Builder.class, CircuitBreaker.class)),
        new Mapping(
            "r4j-retry",
            RetryConfig.Builder.class,
            List.of(Retry.Builder.class, Backoff.Builder.class, Backoff.class)),
        new Mapping("r4j-bulkhead", BulkheadConfig.Builder.class, List.of(Bulkhead.Builder.class)),
        new Mapping(
            "r4j-ratelimiter", RateLimiterConfig.Builder.class, List.of(RateLimiter.Builder.class)),
        new Mapping(
            "r4j-timelimiter", TimeLimiterConfig.Builder.class, List.of(Timeout.Builder.class)));
  }

  @ParameterizedTest
  @MethodSource("mappings")
  void everyResilience4jSettingIsMappedToAnExistingBulwarkSettingOrExplained(Mapping mapping)
      throws IOException {
    Document doc = Jsoup.parse(Site.site().resolve("from-resilience4j.html").toFile(), "UTF-8");
    Element table = doc.getElementById(mapping.tableId());
    assertThat(table).as("table #%s", mapping.tableId()).isNotNull();
    Map<String, Element> rows = new java.util.TreeMap<>();
    for (Element row : table.select("tbody tr")) {
      Element first = row.selectFirst("td");
      if (first != null) {
        for (Element code : first.select("code")) {
          rows.put(code.text().replaceAll("\\(.*", "").strip(), row);
        }
      }
    }

    Set<String> theirs =
        Arrays.stream(mapping.resilience4j().getMethods())
            .filter(m -> m.getDeclaringClass() == mapping.resilience4j())
            .map(Method::getName)
            .filter(n -> !n.equals("build"))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(rows.keySet())
        .as("resilience4j settings in #%s", mapping.tableId())
        .containsAll(theirs);

    Set<String> ours =
        mapping.bulwark().stream()
            .flatMap(c -> Arrays.stream(c.getMethods()))
            .map(Method::getName)
            .collect(Collectors.toSet());
    for (var row : rows.entrySet()) {
      List<Element> cells = row.getValue().select("td");
      assertThat(cells).as("row %s", row.getKey()).hasSizeGreaterThanOrEqualTo(3);
      Element bulwark = cells.get(1);
      List<String> named =
          bulwark.select("code").stream()
              .map(c -> c.text().replaceAll("\\(.*", "").strip())
              .filter(n -> n.matches("[a-z][A-Za-z]*"))
              .toList();
      if (named.isEmpty()) {
        assertThat(bulwark.text())
            .as("row %s names no Bulwark setting, so it must say why", row.getKey())
            .containsIgnoringCase("no equivalent");
        assertThat(cells.get(2).text()).as("the reason for %s", row.getKey()).isNotBlank();
      } else {
        assertThat(ours).as("Bulwark settings named for %s", row.getKey()).containsAll(named);
      }
    }
  }
}
