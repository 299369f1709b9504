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
 * then by variant (the part of the method name after {@code _}) and thread count; each group's
 * implementations (the part before {@code _}) become columns, and the ratio columns divide
 * Bulwark's score by each other implementation's score in the same group.
 */
public final class Report {

  private static final List<String> ORDER =
      List.of(
          "bulwark", "resilience4j", "failsafe", "guava", "validated", "handwritten", "baseline");

  /** One measured row of JMH output. */
  record Row(
      String benchmarkClass,
      String implementation,
      String variant,
      int threads,
      double score,
      double error,
      String unit,
      double bytesPerOp) {}

  /**
   * One of the speed targets: Bulwark's row of {@code benchmarkClass}/{@code variant} must
   * reach {@code minRatio} times the peer's score at the given thread count, and allocate at most
   * {@code maxBytes} per operation (NaN: no allocation bound).
   */
  record Target(
      String description,
      String benchmarkClass,
      String variant,
      String peer,
      int threads,
      double minRatio,
      double maxBytes) {}

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
          new Target(
              "streaming NDJSON to a discarding stream",
              "Streaming",
              "discard",
              "handwritten",
              1,
              0.9,
              Double.NaN),
          new Target(
              "streaming NDJSON to a discarding stream",
              "Streaming",
              "discard",
              "handwritten",
              2,
              0.9,
              Double.NaN));

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
    double bytes = Double.NaN;
    JsonNode secondary = result.get("secondaryMetrics");
    if (secondary != null) {
      for (String key : List.of("gc.alloc.rate.norm", "·gc.alloc.rate.norm")) {
        if (secondary.has(key)) {
          bytes = secondary.get(key).get("score").asDouble();
        }
      }
    }
    return new Row(
        className.replace("Benchmark", ""),
        implementation,
        variant,
        result.get("threads").asInt(),
        primary.get("score").asDouble(),
        primary.get("scoreError").asDouble(),
        primary.get("scoreUnit").asText(),
        bytes);
  }

  static String render(String title, List<Row> rows) {
    StringBuilder out = new StringBuilder();
    out.append("# ").append(title).append("\n\n");
    out.append("Generated by `benchmarks/run` from JMH JSON; do not edit by hand. Scores are ")
        .append("throughput (higher is better) with JMH's 99.9 % error; B/op is ")
        .append("`gc.alloc.rate.norm` from `-prof gc`. A ratio is Bulwark's score divided by ")
        .append("the other implementation's in the same row.\n");
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
            .append(any.variant().isEmpty() ? "—" : any.variant())
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
                          : String.format(Locale.ROOT, "%.2f×", ours.score() / theirs.score()))
                  .append(" |");
            }
          }
        }
        out.append('\n');
      }
    }
    return out.toString();
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
              .get(t.variant() + "\u0000" + String.format(Locale.ROOT, "%03d", t.threads()));
      Row ours = group == null ? null : group.get("bulwark");
      Row theirs = group == null ? null : group.get(t.peer());
      if (ours == null || theirs == null) {
        continue;
      }
      double ratio = ours.score() / theirs.score();
      boolean fastEnough = ratio >= t.minRatio();
      boolean smallEnough =
          Double.isNaN(t.maxBytes())
              || Double.isNaN(ours.bytesPerOp())
              || ours.bytesPerOp() < Math.max(t.maxBytes(), 0) + ZERO_BYTES;
      boolean ok = fastEnough && smallEnough;
      if (ok) {
        met++;
      } else {
        missed++;
      }
      table
          .append("| ")
          .append(t.description())
          .append(" | ")
          .append(t.threads())
          .append(" | ≥ ")
          .append(number(t.minRatio()))
          .append("× ")
          .append(t.peer());
      if (!Double.isNaN(t.maxBytes())) {
        table.append(t.maxBytes() == 0 ? ", 0 B/op" : ", ≤ " + number(t.maxBytes()) + " B/op");
      }
      table
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.2f×", ratio))
          .append(Double.isNaN(ours.bytesPerOp()) ? "" : ", " + bytes(ours.bytesPerOp()))
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

  private static String number(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  private static String bytes(double b) {
    return b < ZERO_BYTES ? "0 B/op" : String.format(Locale.ROOT, "%.0f B/op", b);
  }

  private static String groupKey(Row r) {
    return r.variant() + "\u0000" + String.format(Locale.ROOT, "%03d", r.threads());
  }

  private static String cell(Row r) {
    String score =
        Double.isFinite(r.error())
            ? String.format(Locale.ROOT, "%.2f ± %.2f %s", r.score(), r.error(), r.unit())
            : String.format(Locale.ROOT, "%.2f %s", r.score(), r.unit()); // a single iteration
    return Double.isNaN(r.bytesPerOp()) ? score : score + ", " + bytes(r.bytesPerOp());
  }
}
