package dev.bulwark.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.micrometer.core.instrument.Meter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The meter reference table in {@code METERS.md} is {@link BulwarkMeter} rendered; and the meters
 * an app really exposes are exactly the table's. Run with {@code -Dbulwark.writeMeterTable=true} to
 * rewrite the table after changing a meter.
 */
class MeterTableTest {

  private static final Path TABLE = Path.of("METERS.md");
  private static final String BEGIN =
      "<!-- meter table: generated from BulwarkMeter by MeterTableTest -->";
  private static final String END = "<!-- end of meter table -->";

  @Test
  void theReferenceTableListsExactlyTheMetersInTheCode() throws Exception {
    String text = Files.readString(TABLE);
    String expected = render();
    if (Boolean.getBoolean("bulwark.writeMeterTable")) {
      text =
          text.substring(0, text.indexOf(BEGIN))
              + expected
              + text.substring(text.indexOf(END) + END.length());
      Files.writeString(TABLE, text);
    }
    assertThat(text).contains(expected);
  }

  @Test
  void anAppExposesExactlyTheMetersOfTheTable() {
    Set<String> expected =
        Arrays.stream(BulwarkMeter.values())
            .flatMap(m -> prometheusSeries(m).stream())
            .collect(Collectors.toCollection(TreeSet::new));
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          try (DrivenApp app = new DrivenApp()) {
            while (app.rounds() < 3) {
              Thread.onSpinWait();
            }
            Set<String> exposed =
                app.scrape()
                    .lines()
                    .filter(l -> l.startsWith("bulwark_"))
                    .map(l -> l.replaceAll("[{ ].*", ""))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(exposed).isEqualTo(expected);
          }
        });
  }

  static List<String> prometheusSeries(BulwarkMeter m) {
    String base = m.meterName().replace('.', '_');
    if (m.type() == Meter.Type.TIMER) {
      return List.of(base + "_seconds_count", base + "_seconds_sum", base + "_seconds_max");
    }
    if (m.baseUnit() != null && !base.endsWith("_" + m.baseUnit())) {
      base += "_" + m.baseUnit();
    }
    return List.of(m.type() == Meter.Type.COUNTER ? base + "_total" : base);
  }

  private static String render() {
    StringBuilder b = new StringBuilder(BEGIN).append('\n');
    b.append("\n| meter | type | unit | tags | in Prometheus | meaning | resilience4j |\n");
    b.append("|---|---|---|---|---|---|---|\n");
    for (BulwarkMeter m : BulwarkMeter.values()) {
      b.append("| `")
          .append(m.meterName())
          .append("` | ")
          .append(m.type() == Meter.Type.COUNTER ? "counter" : m.type().name().toLowerCase())
          .append(" | ")
          .append(m.baseUnit() == null ? "" : m.baseUnit())
          .append(" | ")
          .append(m.tagKeys().stream().map(t -> "`" + t + "`").collect(Collectors.joining(", ")))
          .append(" | ")
          .append(
              prometheusSeries(m).stream()
                  .map(s -> "`" + s + "`")
                  .collect(Collectors.joining("<br>")))
          .append(" | ")
          .append(m.description())
          .append(" | ")
          .append(
              m.resilience4j() == null
                  ? "—"
                  : "`"
                      + m.resilience4j()
                          .replace(" and ", "` and `")
                          .replace(" (kind)", "` (`kind`)")
                          .replace("(`kind`)`", "(`kind`)")
                      + (m.resilience4j().endsWith("(kind)") ? "" : "`"))
          .append(" |\n");
    }
    return b.append('\n').append(END).toString();
  }
}
