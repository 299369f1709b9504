package dev.bulwark.docs.generate;

import dev.bulwark.metrics.BulwarkMeter;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.backoff.Jitter;
import io.micrometer.core.instrument.Meter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Writes the site's generated tables before Asciidoctor runs (exec:java in process-test-classes).
 *
 * <ul>
 *   <li>{@code benchmarks.adoc} and one {@code bench-<Section>.adoc} per section of {@code
 *       docs/benchmarks.md}, which {@code benchmarks/run} rewrites from JMH JSON: the site shows
 *       that one file's numbers, never copies of them.
 *   <li>{@code jitter.adoc}: the delays Bulwark's own {@link Backoff} draws for each jitter kind,
 *       sampled with a fixed seed, so the table changes only when the code does.
 *   <li>{@code meters.adoc} and {@code meters-resilience4j.adoc}: every {@link BulwarkMeter}, and
 *       the resilience4j meter each one replaces, read from the enum the binders register from.
 * </ul>
 */
public final class GenerateTables {
  private GenerateTables() {}

  /**
   * Writes the tables.
   *
   * @param args the benchmark Markdown file and the output directory
   * @throws IOException if a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: GenerateTables <benchmarks.md> <output dir>");
    }
    Path out = Path.of(args[1]);
    Files.createDirectories(out);
    Map<String, String> files =
        new LinkedHashMap<>(benchmarkPages(Files.readString(Path.of(args[0]))));
    files.put("jitter.adoc", jitterTable());
    files.put("meters.adoc", meterTable());
    files.put("meters-resilience4j.adoc", resilience4jMeterTable());
    for (var file : files.entrySet()) {
      Files.writeString(out.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
    }
  }

  /** Converts the benchmark report's Markdown (headings, paragraphs, pipe tables) to AsciiDoc. */
  static Map<String, String> benchmarkPages(String markdown) {
    Map<String, String> pages = new LinkedHashMap<>();
    StringBuilder all = new StringBuilder();
    StringBuilder section = null;
    String sectionName = null;
    List<String> lines = markdown.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("# ")) {
        pages.put("bench-run.adoc", "The run: " + line.substring(2).trim() + "\n");
      } else if (line.startsWith("## ")) {
        if (section != null) {
          pages.put("bench-" + sectionName + ".adoc", section.toString());
        }
        sectionName = line.substring(3).trim();
        section = new StringBuilder();
        all.append("\n[#bench-").append(sectionName.toLowerCase(Locale.ROOT)).append("]\n");
        all.append("== ").append(sectionName).append("\n\n");
      } else if (line.startsWith("|")) {
        List<String> rows = new ArrayList<>();
        while (i < lines.size() && lines.get(i).startsWith("|")) {
          rows.add(lines.get(i++));
        }
        i--;
        String table = table(rows);
        all.append(table);
        if (section != null) {
          section.append(table);
        }
      } else {
        String text = inline(line) + "\n";
        all.append(text);
        if (section != null) {
          section.append(text);
        }
      }
    }
    if (section != null) {
      pages.put("bench-" + sectionName + ".adoc", section.toString());
    }
    pages.put("benchmarks.adoc", all.toString());
    return pages;
  }

  private static String table(List<String> rows) {
    List<List<String>> cells = new ArrayList<>();
    for (String row : rows) {
      String inner = row.strip();
      inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
      List<String> parts = List.of(inner.split("\\|", -1));
      if (parts.stream().allMatch(p -> p.strip().matches(":?-+:?"))) {
        continue; // the Markdown header separator
      }
      cells.add(parts.stream().map(p -> inline(p.strip())).toList());
    }
    StringBuilder b = new StringBuilder();
    b.append("[%header%autowidth.stretch]\n|===\n");
    for (List<String> row : cells) {
      for (String cell : row) {
        b.append("|").append(cell).append(' ');
      }
      b.setLength(b.length() - 1);
      b.append('\n');
    }
    return b.append("|===\n").toString();
  }

  private static String inline(String markdown) {
    return markdown.replaceAll("\\*\\*([^*]+)\\*\\*", "*$1*");
  }

  /** The delays of each jitter kind, attempt by attempt, drawn from Bulwark's {@link Backoff}. */
  static String jitterTable() {
    Duration base = Duration.ofMillis(100);
    Duration cap = Duration.ofSeconds(2);
    int attempts = 6;
    int samples = 10_000;
    Map<String, Jitter> kinds = new LinkedHashMap<>();
    kinds.put("none", Jitter.none());
    kinds.put("full", Jitter.full());
    kinds.put("equal", Jitter.equal());
    kinds.put("decorrelated", Jitter.decorrelated());
    kinds.put("proportional(0.5)", Jitter.proportional(0.5));
    Map<String, double[][]> stats = new LinkedHashMap<>(); // per kind: [attempt][min, sum, max]
    for (var kind : kinds.entrySet()) {
      Backoff backoff =
          Backoff.exponential(base, cap)
              .jitter(kind.getValue())
              .random(new SplittableRandom(42))
              .build();
      double[][] s = new double[attempts][];
      for (int a = 0; a < attempts; a++) {
        s[a] = new double[] {Double.MAX_VALUE, 0, 0};
      }
      for (int n = 0; n < samples; n++) {
        Backoff.Sequence sequence = backoff.sequence();
        for (int a = 0; a < attempts; a++) {
          double ms = sequence.nextNanos() / 1e6;
          s[a][0] = Math.min(s[a][0], ms);
          s[a][1] += ms;
          s[a][2] = Math.max(s[a][2], ms);
        }
      }
      stats.put(kind.getKey(), s);
    }
    StringBuilder b = new StringBuilder();
    b.append(".Delay before retry n in ms, mean (min–max) over ")
        .append(String.format(Locale.ROOT, "%,d", samples))
        .append(" sequences; base 100 ms, cap 2 s\n");
    b.append("[%header%autowidth.stretch,cols=\"").append(kinds.size() + 1).append("*\"]\n|===\n");
    b.append("|retry n");
    kinds.keySet().forEach(k -> b.append(" |`").append(k).append('`'));
    b.append('\n');
    for (int a = 0; a < attempts; a++) {
      b.append('|').append(a + 1);
      for (double[][] s : stats.values()) {
        b.append(
            String.format(Locale.ROOT, " |%.0f (%.0f–%.0f)", s[a][1] / samples, s[a][0], s[a][2]));
      }
      b.append('\n');
    }
    b.append("|total of ").append(attempts);
    for (double[][] s : stats.values()) {
      double total = 0;
      for (double[] at : s) {
        total += at[1] / samples;
      }
      b.append(String.format(Locale.ROOT, " |%.0f", total));
    }
    return b.append("\n|===\n").toString();
  }

  /** The reference table of every meter, one row per {@link BulwarkMeter} constant. */
  static String meterTable() {
    StringBuilder b = new StringBuilder();
    b.append("[#meter-table.meters,%header,cols=\"3,1,1,2,3,5\"]\n|===\n");
    b.append("|meter |type |unit |tags |in Prometheus |meaning\n");
    for (BulwarkMeter m : BulwarkMeter.values()) {
      b.append("\n|`").append(m.meterName()).append('`');
      b.append(" |").append(m.type().name().toLowerCase(Locale.ROOT));
      b.append(" |").append(m.baseUnit() == null ? "" : m.baseUnit());
      b.append(" |").append(codes(m.tagKeys()));
      b.append(" |").append(codes(prometheusSeries(m)));
      b.append(" |").append(escape(m.description())).append('\n');
    }
    return b.append("|===\n").toString();
  }

  /** resilience4j's meter names beside Bulwark's, for the meters that have a counterpart. */
  static String resilience4jMeterTable() {
    StringBuilder b = new StringBuilder();
    b.append("[#meter-mapping.meters,%header,cols=\"1,1\"]\n|===\n");
    b.append("|resilience4j |Bulwark\n");
    for (BulwarkMeter m : BulwarkMeter.values()) {
      if (m.resilience4j() == null) {
        continue;
      }
      String r4j =
          "`"
              + m.resilience4j().replace(" and ", "` and `").replace(" (kind)", "` (tag `kind`)")
              + (m.resilience4j().endsWith("(kind)") ? "" : "`");
      b.append("\n|").append(r4j.replace("(tag `kind`)`", "(tag `kind`)"));
      b.append(" |`").append(m.meterName()).append('`');
      b.append(m.tagKeys().contains("outcome") && r4j.contains("kind") ? " (tag `outcome`)" : "");
      b.append('\n');
    }
    return b.append("|===\n").toString();
  }

  /**
   * The series a {@code PrometheusMeterRegistry} exposes for a meter: dots become underscores,
   * counters gain {@code _total}, a base unit becomes a suffix, timers expose count, sum and max.
   */
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

  private static String codes(List<String> names) {
    return names.stream().map(n -> "`" + n + "`").collect(Collectors.joining(", "));
  }

  private static String escape(String text) {
    return text.replace("|", "\\|");
  }
}
