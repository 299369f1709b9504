package dev.bulwark.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders JMH JSON results as Markdown tables of Bulwark's throughput against each peer's.
 *
 * <p>Usage: {@code Report <out.md> <title> <results.json>...}. Rows are grouped by benchmark class,
 * then by variant (the part of the method name after {@code _}), JMH parameters, mode and thread
 * count; each group's implementations (the part before {@code _}) become columns, and the ratio
 * columns compare Bulwark with each other implementation in the same group, as "how many times
 * better": throughput divided by throughput, or for time modes the peer's time divided by Bulwark's
 * (the p50 in sample mode). A virtual-thread scale row compares the fractions of the ideal
 * throughput its waves reached.
 */
public final class Report {

  /** Columns in this order; implementations not listed follow in alphabetical order. */
  private static final List<String> ORDER =
      List.of(
          "bulwark",
          "bulwarkBound",
          "resilience4j",
          "resilience4jBound",
          "failsafe",
          "guava",
          "bucket4j",
          "validated",
          "handwritten",
          "baseline");

  /** The secondary metric of a virtual-thread scale wave: throughput over Little's law's ideal. */
  private static final String FRACTION = "fractionOfIdeal";

  /** JMH's mode names as they appear in its JSON. */
  private static final String THROUGHPUT = "thrpt";

  private static final String SAMPLE = "sample";
  private static final String SINGLE_SHOT = "ss";

  /**
   * One measured row of JMH output.
   *
   * @param params JMH parameters as {@code name=value, ...}, empty without any
   * @param mode JMH's mode ({@code thrpt}, {@code avgt}, {@code sample}, {@code ss})
   * @param p50 the median in sample mode (NaN otherwise)
   * @param p99 the 99th percentile in sample mode (NaN otherwise)
   * @param secondary the secondary metrics by name, e.g. a scale wave's {@code fractionOfIdeal}
   */
  record Row(
      String benchmarkClass,
      String implementation,
      String variant,
      int threads,
      double score,
      double error,
      String unit,
      double bytesPerOp,
      String params,
      String mode,
      double p50,
      double p99,
      Map<String, Double> secondary) {

    /** How good the row is, higher is better, so that two rows of a group divide into a ratio. */
    double merit() {
      Double fraction = secondary.get(FRACTION);
      if (fraction != null) {
        return fraction;
      }
      if (mode.equals(SAMPLE) && !Double.isNaN(p50)) {
        return 1 / p50;
      }
      return mode.equals(THROUGHPUT) ? score : 1 / score;
    }
  }

  /**
   * One of the issues' targets: the {@code ours} row of {@code benchmarkClass}/{@code variant} (in
   * JMH mode {@code mode}, at the given thread count) must be at least {@code minRatio} times as
   * good as the {@code peer} row (see {@link Row#merit()}), at least {@code minMerit} good on its
   * own (NaN: no such bound; used for a fraction of an ideal), and allocate at most {@code
   * maxBytes} per operation (NaN: no allocation bound). {@code wanted} says it in words for the
   * table (null: "≥ minRatio× peer").
   */
  record Target(
      String description,
      String benchmarkClass,
      String variant,
      String mode,
      String ours,
      String peer,
      int threads,
      double minRatio,
      double minMerit,
      double maxBytes,
      String wanted) {

    /** A throughput target of Bulwark against a peer. */
    Target(
        String description,
        String benchmarkClass,
        String variant,
        String peer,
        int threads,
        double minRatio,
        double maxBytes) {
      this(
          description,
          benchmarkClass,
          variant,
          THROUGHPUT,
          "bulwark",
          peer,
          threads,
          minRatio,
          Double.NaN,
          maxBytes,
          null);
    }

    /** Bound metrics cost at most 15 %: the bound row's throughput ≥ 1/1.15 of the unbound one. */
    static Target metricsBound(String description, String variant, int threads) {
      return new Target(
          description,
          "Metrics",
          variant,
          THROUGHPUT,
          "bulwarkBound",
          "bulwark",
          threads,
          1 / 1.15,
          Double.NaN,
          Double.NaN,
          "bound ≥ 1/1.15 of unbound (≤ 1.15× the cost)");
    }

    /** At least 95 % of the ideal throughput, and at least resilience4j's fraction. */
    static Target virtualThreads(String description, String variant) {
      return new Target(
          description,
          "VirtualThreadScale",
          variant,
          SINGLE_SHOT,
          "bulwark",
          "resilience4j",
          1,
          1,
          0.95,
          Double.NaN,
          "≥ 95 % of ideal and ≥ resilience4j's fraction");
    }
  }

  /** The targets of the issue, checked against every run that contains their rows. */
  static final List<Target> TARGETS =
      List.of(
          new Target(
              "circuit breaker, count window", "CircuitBreaker", "count", "resilience4j", 1, 4, 0),
          new Target(
              "circuit breaker, count window", "CircuitBreaker", "count", "resilience4j", 2, 4, 0),
          new Target(
              "circuit breaker, slow-call detection on",
              "CircuitBreaker",
              "countSlowCalls",
              "resilience4j",
              1,
              1.3,
              0),
          new Target(
              "circuit breaker, slow-call detection on",
              "CircuitBreaker",
              "countSlowCalls",
              "resilience4j",
              2,
              2,
              0),
          new Target(
              "rate limiter, tryAcquire", "RateLimiter", "tryAcquire", "resilience4j", 1, 1.5, 0),
          new Target("rate limiter, tryAcquire", "RateLimiter", "tryAcquire", "guava", 1, 1, 0),
          new Target(
              "rate limiter, tryAcquire", "RateLimiter", "tryAcquire", "resilience4j", 2, 2, 0),
          new Target("rate limiter, call", "RateLimiter", "call", "resilience4j", 1, 1.5, 0),
          new Target("rate limiter, call", "RateLimiter", "call", "resilience4j", 2, 2, 0),
          new Target("bulkhead", "Bulkhead", "", "resilience4j", 1, 1.2, 0),
          new Target("bulkhead", "Bulkhead", "", "resilience4j", 2, 1.2, 0),
          new Target("retry, first attempt succeeds", "Retry", "", "resilience4j", 1, 1, 0),
          new Target("retry, first attempt succeeds", "Retry", "", "resilience4j", 2, 1, 0),
          new Target("pipeline of four", "Pipeline", "", "resilience4j", 1, 3, 0),
          new Target("pipeline of four", "Pipeline", "", "resilience4j", 2, 3, 0),
          new Target("pipeline of four", "Pipeline", "", "failsafe", 1, 6, 0),
          new Target("pipeline of four", "Pipeline", "", "failsafe", 2, 6, 0),
          new Target("timeout, call finishes in time", "Timeout", "", "failsafe", 1, 10, 48),
          new Target("timeout, call finishes in time", "Timeout", "", "failsafe", 2, 10, 48),
          new Target(
              "refusal, open breaker", "Refusal", "openBreaker", "resilience4j", 1, 2, Double.NaN),
          new Target(
              "refusal, open breaker", "Refusal", "openBreaker", "resilience4j", 2, 2, Double.NaN),
          new Target(
              "refusal, forced-open breaker",
              "Refusal",
              "forcedOpenBreaker",
              "resilience4j",
              1,
              2,
              Double.NaN),
          new Target(
              "refusal, forced-open breaker",
              "Refusal",
              "forcedOpenBreaker",
              "resilience4j",
              2,
              2,
              Double.NaN),
          new Target(
              "refusal, full bulkhead",
              "Refusal",
              "fullBulkhead",
              "resilience4j",
              1,
              2,
              Double.NaN),
          new Target(
              "refusal, full bulkhead",
              "Refusal",
              "fullBulkhead",
              "resilience4j",
              2,
              2,
              Double.NaN),
          new Target(
              "refusal, exhausted rate limiter",
              "Refusal",
              "exhaustedLimiter",
              "resilience4j",
              1,
              2,
              Double.NaN),
          new Target(
              "refusal, exhausted rate limiter",
              "Refusal",
              "exhaustedLimiter",
              "resilience4j",
              2,
              2,
              Double.NaN),
          new Target(
              "streaming NDJSON to a discarding stream, checked as Bulwark checks",
              "Streaming",
              "discard",
              "validated",
              1,
              0.9,
              0),
          new Target(
              "streaming NDJSON to a discarding stream, checked as Bulwark checks",
              "Streaming",
              "discard",
              "validated",
              2,
              0.9,
              0),
          new Target(
              "streaming NDJSON to a loopback socket, checked as Bulwark checks",
              "Streaming",
              "socket",
              "validated",
              1,
              0.95,
              0),
          new Target(
              "streaming NDJSON to a loopback socket, checked as Bulwark checks",
              "Streaming",
              "socket",
              "validated",
              2,
              0.95,
              0),
          Target.metricsBound("metrics bound, circuit breaker", "breaker", 1),
          Target.metricsBound("metrics bound, circuit breaker", "breaker", 2),
          Target.metricsBound("metrics bound, bulkhead", "bulkhead", 1),
          Target.metricsBound("metrics bound, bulkhead", "bulkhead", 2),
          Target.metricsBound("metrics bound, rate limiter", "rateLimiter", 1),
          Target.metricsBound("metrics bound, rate limiter", "rateLimiter", 2),
          Target.metricsBound("metrics bound, pipeline of four", "pipeline", 1),
          Target.metricsBound("metrics bound, pipeline of four", "pipeline", 2),
          httpClient(1),
          httpClient(2),
          Target.virtualThreads("10,000 virtual threads, bulkhead of 100", "bulkhead"),
          Target.virtualThreads("10,000 virtual threads, pipeline of four", "pipeline"));

  /** A healthy GET through the resilient client: its p50 within 3 % of the bare JDK client's. */
  private static Target httpClient(int threads) {
    return new Target(
        "HTTP client, healthy GET (p50)",
        "HttpClient",
        "",
        SAMPLE,
        "bulwark",
        "baseline",
        threads,
        1 / 1.03,
        Double.NaN,
        Double.NaN,
        "p50 ≤ 1.03× the bare JDK client's");
  }

  /** Below this many bytes per operation, JMH's figure is noise around zero: "0 B/op". */
  private static final double ZERO_BYTES = 1.0;

  private Report() {}

  /**
   * Writes the report.
   *
   * @param args the output file, a title line, then one or more JMH JSON result files
   * @throws IOException if a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: Report <out.md> <title> <results.json>...");
      System.exit(2);
    }
    List<Row> rows = new ArrayList<>();
    ObjectMapper mapper = new ObjectMapper();
    for (int i = 2; i < args.length; i++) {
      for (JsonNode result : mapper.readTree(Path.of(args[i]).toFile())) {
        rows.add(parse(result));
      }
    }
    Files.writeString(Path.of(args[0]), render(args[1], rows));
  }

  static Row parse(JsonNode result) {
    String benchmark = result.get("benchmark").asText();
    int dot = benchmark.lastIndexOf('.');
    String className = benchmark.substring(benchmark.lastIndexOf('.', dot - 1) + 1, dot);
    String method = benchmark.substring(dot + 1);
    int underscore = method.indexOf('_');
    String implementation = underscore < 0 ? method : method.substring(0, underscore);
    String variant = underscore < 0 ? "" : method.substring(underscore + 1);
    JsonNode primary = result.get("primaryMetric");
    Map<String, Double> secondary = new TreeMap<>();
    JsonNode secondaries = result.get("secondaryMetrics");
    if (secondaries != null) {
      secondaries
          .properties()
          .forEach(
              e ->
                  secondary.put(e.getKey().replace("·", ""), e.getValue().get("score").asDouble()));
    }
    List<String> params = new ArrayList<>();
    JsonNode paramNode = result.get("params");
    if (paramNode != null) {
      paramNode.properties().forEach(e -> params.add(e.getKey() + "=" + e.getValue().asText()));
    }
    JsonNode percentiles = primary.get("scorePercentiles");
    JsonNode mode = result.get("mode");
    return new Row(
        className.replace("Benchmark", ""),
        implementation,
        variant,
        result.get("threads").asInt(),
        primary.get("score").asDouble(),
        primary.get("scoreError").asDouble(),
        primary.get("scoreUnit").asText(),
        secondary.getOrDefault("gc.alloc.rate.norm", Double.NaN),
        String.join(", ", params),
        mode == null ? THROUGHPUT : mode.asText(),
        percentile(percentiles, "50.0"),
        percentile(percentiles, "99.0"),
        Map.copyOf(secondary));
  }

  private static double percentile(JsonNode percentiles, String key) {
    return percentiles == null || !percentiles.has(key)
        ? Double.NaN
        : percentiles.get(key).asDouble();
  }

  static String render(String title, List<Row> rows) {
    StringBuilder out = new StringBuilder();
    out.append("# ").append(title).append("\n\n");
    out.append("Generated by `benchmarks/run` from JMH JSON; do not edit by hand. Scores are ")
        .append("throughput (higher is better) with JMH's 99.9 % error, or in sample mode the ")
        .append("p50 and p99 of the time per operation (lower is better); B/op is ")
        .append("`gc.alloc.rate.norm` from `-prof gc`. A ratio says how many times better ")
        .append("Bulwark did than the other implementation in the same row: its throughput ")
        .append("divided by theirs, or their p50 divided by its p50. A virtual-thread scale row ")
        .append("shows the fraction of Little's law's ideal throughput its waves reached and the ")
        .append("added latency of its calls; its ratio divides the fractions.\n");
    Map<String, Map<String, Map<String, Row>>> byClass = new TreeMap<>();
    for (Row r : rows) {
      byClass
          .computeIfAbsent(r.benchmarkClass(), k -> new TreeMap<>())
          .computeIfAbsent(groupKey(r), k -> new TreeMap<>())
          .put(r.implementation(), r);
    }
    renderTargets(out, byClass);
    for (var cls : byClass.entrySet()) {
      List<String> impls = new ArrayList<>();
      for (String impl : ORDER) {
        if (cls.getValue().values().stream().anyMatch(g -> g.containsKey(impl))) {
          impls.add(impl);
        }
      }
      cls.getValue().values().stream()
          .flatMap(g -> g.keySet().stream())
          .filter(impl -> !ORDER.contains(impl))
          .distinct()
          .sorted()
          .forEach(impls::add);
      boolean severalModes =
          cls.getValue().values().stream()
                  .flatMap(g -> g.values().stream())
                  .map(Row::mode)
                  .distinct()
                  .count()
              > 1;
      out.append("\n## ").append(cls.getKey()).append("\n\n| variant | threads |");
      for (String impl : impls) {
        out.append(' ').append(impl).append(" |");
      }
      boolean ratios = impls.contains("bulwark") && impls.size() > 1;
      if (ratios) {
        for (String impl : impls) {
          if (!impl.equals("bulwark")) {
            out.append(" ÷ ").append(impl).append(" |");
          }
        }
      }
      out.append("\n|---|---|");
      out.append("---|".repeat(impls.size() + (ratios ? impls.size() - 1 : 0)));
      out.append('\n');
      for (var group : cls.getValue().entrySet()) {
        Map<String, Row> byImpl = group.getValue();
        Row any = byImpl.values().iterator().next();
        out.append("| ")
            .append(label(any, severalModes))
            .append(" | ")
            .append(any.threads())
            .append(" |");
        for (String impl : impls) {
          Row r = byImpl.get(impl);
          out.append(' ').append(r == null ? "" : cell(r)).append(" |");
        }
        if (ratios) {
          Row ours = byImpl.get("bulwark");
          for (String impl : impls) {
            if (!impl.equals("bulwark")) {
              Row theirs = byImpl.get(impl);
              out.append(' ')
                  .append(
                      ours == null || theirs == null
                          ? ""
                          : String.format(Locale.ROOT, "%.2f×", ours.merit() / theirs.merit()))
                  .append(" |");
            }
          }
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** The variant column: the variant (or —), then any JMH parameters, then the mode if mixed. */
  private static String label(Row r, boolean withMode) {
    StringBuilder label = new StringBuilder(r.variant().isEmpty() ? "—" : r.variant());
    if (!r.params().isEmpty()) {
      label.append(", ").append(r.params());
    }
    if (withMode) {
      label.append(", ").append(r.mode());
    }
    return label.toString();
  }

  /** Appends the targets whose rows were measured, each with its ratio and its status. */
  private static void renderTargets(
      StringBuilder out, Map<String, Map<String, Map<String, Row>>> byClass) {
    StringBuilder table = new StringBuilder();
    int met = 0;
    int missed = 0;
    for (Target t : TARGETS) {
      Map<String, Row> group =
          byClass
              .getOrDefault(t.benchmarkClass(), Map.of())
              .get(groupKey(t.variant(), "", t.mode(), t.threads()));
      Row ours = group == null ? null : group.get(t.ours());
      Row theirs = group == null ? null : group.get(t.peer());
      if (ours == null || theirs == null) {
        continue;
      }
      double ratio = ours.merit() / theirs.merit();
      boolean goodEnough =
          ratio >= t.minRatio() && (Double.isNaN(t.minMerit()) || ours.merit() >= t.minMerit());
      boolean smallEnough =
          Double.isNaN(t.maxBytes())
              || Double.isNaN(ours.bytesPerOp())
              || ours.bytesPerOp() < Math.max(t.maxBytes(), 0) + ZERO_BYTES;
      boolean ok = goodEnough && smallEnough;
      if (ok) {
        met++;
      } else {
        missed++;
      }
      table.append("| ").append(t.description()).append(" | ").append(t.threads()).append(" | ");
      if (t.wanted() != null) {
        table.append(t.wanted());
      } else {
        table.append("≥ ").append(number(t.minRatio())).append("× ").append(t.peer());
        if (!Double.isNaN(t.maxBytes())) {
          table.append(t.maxBytes() == 0 ? ", 0 B/op" : ", ≤ " + number(t.maxBytes()) + " B/op");
        }
      }
      table
          .append(" | ")
          .append(measured(ours, theirs, t.peer(), ratio))
          .append(" | ")
          .append(ok ? "met" : "**missed**")
          .append(" |\n");
    }
    if (met + missed == 0) {
      return;
    }
    out.append("\n## Targets\n\n")
        .append(met)
        .append(" of ")
        .append(met + missed)
        .append(" targets met in this run.\n\n")
        .append("| target | threads | wanted | measured | status |\n|---|---|---|---|---|\n")
        .append(table);
  }

  /** The "measured" cell of a target: the ratio, and what it was computed from where useful. */
  private static String measured(Row ours, Row theirs, String peer, double ratio) {
    if (ours.secondary().containsKey(FRACTION)) {
      return String.format(
          Locale.ROOT,
          "%.1f %% of ideal (%s %.1f %%), p99 added %s ms (%s %s ms)",
          100 * ours.merit(),
          peer,
          100 * theirs.merit(),
          millis(ours.secondary().get("addedP99Millis")),
          peer,
          millis(theirs.secondary().get("addedP99Millis")));
    }
    String text = String.format(Locale.ROOT, "%.2f×", ratio);
    if (ours.mode().equals(SAMPLE) && !Double.isNaN(ours.p50())) {
      text +=
          String.format(
              Locale.ROOT, " (p50 %.1f vs %.1f %s)", ours.p50(), theirs.p50(), ours.unit());
    }
    return Double.isNaN(ours.bytesPerOp()) ? text : text + ", " + bytes(ours.bytesPerOp());
  }

  private static String millis(Double ms) {
    return ms == null ? "?" : String.format(Locale.ROOT, "%+.1f", ms);
  }

  private static String number(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static String bytes(double b) {
    return b < ZERO_BYTES ? "0 B/op" : String.format(Locale.ROOT, "%.0f B/op", b);
  }

  private static String groupKey(Row r) {
    return groupKey(r.variant(), r.params(), r.mode(), r.threads());
  }

  private static String groupKey(String variant, String params, String mode, int threads) {
    return String.join(
        "\u0000", variant, params, mode, String.format(Locale.ROOT, "%03d", threads));
  }

  private static String cell(Row r) {
    if (r.secondary().containsKey(FRACTION)) {
      return String.format(
          Locale.ROOT,
          "%.1f %% of ideal, added p50 %s ms, p99 %s ms",
          100 * r.merit(),
          millis(r.secondary().get("addedP50Millis")),
          millis(r.secondary().get("addedP99Millis")));
    }
    String score;
    if (r.mode().equals(SAMPLE) && !Double.isNaN(r.p50())) {
      score = String.format(Locale.ROOT, "p50 %.2f, p99 %.2f %s", r.p50(), r.p99(), r.unit());
    } else if (Double.isFinite(r.error())) {
      score = String.format(Locale.ROOT, "%.2f ± %.2f %s", r.score(), r.error(), r.unit());
    } else {
      score = String.format(Locale.ROOT, "%.2f %s", r.score(), r.unit()); // a single iteration
    }
    return Double.isNaN(r.bytesPerOp()) ? score : score + ", " + bytes(r.bytesPerOp());
  }
}
