package dev.bulwark.docs.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.http.ResilientHttpClient;
import dev.bulwark.lifecycle.ComponentSettings;
import dev.bulwark.lifecycle.JobQueue;
import dev.bulwark.lifecycle.PeriodicTask;
import dev.bulwark.lifecycle.SupervisorBuilder;
import dev.bulwark.ratelimit.redis.RedisRateLimiterStore;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.bulkhead.AdaptiveBulkhead;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.fanout.FanOut;
import dev.bulwark.resilience.hedge.Hedge;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.retry.RetryBudget;
import dev.bulwark.resilience.timeout.Timeout;
import dev.bulwark.streaming.StreamWriter;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
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
 * Each guide's settings table names every public setter of the builders it documents: adding a
 * setting without documenting it fails the build.
 */
class SettingsTablesTest {

  static final Map<String, List<Class<?>>> GUIDES =
      Map.ofEntries(
          Map.entry("circuit-breaker.html", List.of(CircuitBreaker.Builder.class)),
          Map.entry("retry.html", List.of(Retry.Builder.class, Backoff.Builder.class)),
          Map.entry("retry-budget.html", List.of(RetryBudget.Builder.class)),
          Map.entry(
              "bulkhead.html", List.of(Bulkhead.Builder.class, AdaptiveBulkhead.Builder.class)),
          Map.entry(
              "rate-limiting.html",
              List.of(
                  RateLimiter.Builder.class,
                  KeyedRateLimiter.Builder.class,
                  RedisRateLimiterStore.Builder.class)),
          Map.entry("timeouts.html", List.of(Timeout.Builder.class)),
          Map.entry("hedging.html", List.of(Hedge.Builder.class)),
          Map.entry("fan-out.html", List.of(FanOut.Builder.class)),
          Map.entry("streaming.html", List.of(StreamWriter.Builder.class)),
          Map.entry("http-client.html", List.of(ResilientHttpClient.Builder.class)),
          Map.entry(
              "lifecycle.html",
              List.of(
                  SupervisorBuilder.class,
                  ComponentSettings.class,
                  JobQueue.Builder.class,
                  PeriodicTask.Builder.class)));

  static Set<String> guides() {
    return new TreeSet<>(GUIDES.keySet());
  }

  @ParameterizedTest
  @MethodSource("guides")
  void everyBuilderSettingIsInTheGuidesSettingsTable(String page) throws IOException {
    Set<String> documented = settingsIn(Site.site().resolve(page));
    for (Class<?> builder : GUIDES.get(page)) {
      assertThat(documented)
          .as("settings table of %s, for %s", page, builder.getName())
          .containsAll(setters(builder));
    }
  }

  /** The public instance methods of a builder that configure it (all but build()). */
  static Set<String> setters(Class<?> builder) {
    return Arrays.stream(builder.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
        .filter(m -> !m.isSynthetic())
        .map(Method::getName)
        .filter(name -> !name.equals("build"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The names in the first column of the tables with role "settings". */
  static Set<String> settingsIn(Path page) throws IOException {
    Document doc = Jsoup.parse(page.toFile(), "UTF-8");
    List<Element> tables = doc.select("table.settings");
    assertThat(tables).as("tables with role settings in %s", page).isNotEmpty();
    Set<String> names = new TreeSet<>();
    for (Element table : tables) {
      for (Element cell : table.select("tbody tr > td:first-child code")) {
        names.add(cell.text().replaceAll("\\(.*", "").strip());
      }
    }
    return names;
  }
}
