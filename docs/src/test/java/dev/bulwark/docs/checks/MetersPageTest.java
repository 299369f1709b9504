package dev.bulwark.docs.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.metrics.BulwarkMeter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/**
 * The metrics page's tables are generated from {@link BulwarkMeter}; these checks make sure the
 * rendered page holds them (not a stale copy), that they agree with the metrics module's own {@code
 * METERS.md} (itself checked against a running registry there), and that the dashboard and alert
 * rules the page links to are in the site.
 */
class MetersPageTest {

  @Test
  void theMeterTableListsEveryMeterOfTheCodeInOrder() throws IOException {
    List<String> names = Arrays.stream(BulwarkMeter.values()).map(BulwarkMeter::meterName).toList();
    assertThat(column(table("meter-table"), 0)).isEqualTo(names);
  }

  @Test
  void thePrometheusSeriesAgreeWithTheMetricsModulesTable() throws IOException {
    Map<String, String> expected = new LinkedHashMap<>();
    Path metersMd = Site.dir("bulwark.root").resolve("metrics/METERS.md");
    for (String line : Files.readAllLines(metersMd)) {
      // | `name` | type | unit | tags | `series`<br>`series` | meaning | r4j |
      String[] cells = line.split("\\|");
      if (line.startsWith("| `bulwark.") && cells.length > 5) {
        expected.put(strip(cells[1]), strip(cells[5]).replace("<br>", ", "));
      }
    }
    assertThat(expected).as("meter rows of %s", metersMd).hasSize(BulwarkMeter.values().length);
    Element table = table("meter-table");
    Map<String, String> actual = new LinkedHashMap<>();
    List<String> names = column(table, 0);
    List<String> series = column(table, 4);
    for (int i = 0; i < names.size(); i++) {
      actual.put(names.get(i), series.get(i));
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void theResilience4jMappingNamesEveryMeterThatHasACounterpart() throws IOException {
    List<String> expected =
        Arrays.stream(BulwarkMeter.values())
            .filter(m -> m.resilience4j() != null)
            .map(BulwarkMeter::meterName)
            .toList();
    List<String> bulwark =
        column(table("meter-mapping"), 1).stream().map(c -> c.replaceAll(" .*", "")).toList();
    assertThat(bulwark).isEqualTo(expected);
    String r4j = String.join(" ", column(table("meter-mapping"), 0));
    for (BulwarkMeter m : BulwarkMeter.values()) {
      if (m.resilience4j() != null) {
        Matcher names = Pattern.compile("resilience4j\\.[a-z.]+").matcher(m.resilience4j());
        while (names.find()) {
          assertThat(r4j).contains(names.group());
        }
      }
    }
  }

  @Test
  void theDashboardAndAlertRulesAreInTheSite() throws IOException {
    Path dashboard = Site.site().resolve("metrics/bulwark-dashboard.json");
    Path alerts = Site.site().resolve("metrics/bulwark-alerts.yml");
    assertThat(Files.readString(dashboard)).contains("bulwark_");
    assertThat(Files.readString(alerts)).contains("alert:");
  }

  private static Element table(String id) throws IOException {
    Document doc = Jsoup.parse(Site.site().resolve("metrics.html").toFile(), "UTF-8");
    Element table = doc.selectFirst("table#" + id);
    assertThat(table).as("table #%s in metrics.html", id).isNotNull();
    return table;
  }

  private static List<String> column(Element table, int index) {
    return table.select("tbody tr").stream()
        .map(tr -> tr.select("td").get(index).text().strip())
        .collect(Collectors.toList());
  }

  private static String strip(String markdownCell) {
    return markdownCell.replace("`", "").strip();
  }
}
