package dev.bulwark.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.benchmarks.report.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

  private static String result(String method, int threads, double score, double bytes) {
    return """
        {"benchmark": "dev.bulwark.benchmarks.CircuitBreakerBenchmark.%s", "threads": %d,
         "primaryMetric": {"score": %s, "scoreError": 0.5, "scoreUnit": "ops/us"},
         "secondaryMetrics": {"gc.alloc.rate.norm": {"score": %s, "scoreUnit": "B/op"}}}
        """
        .formatted(method, threads, score, bytes);
  }

  @Test
  void dividesBulwarksScoreByEachPeerInTheSameVariantAndThreadCount(@TempDir Path dir)
      throws Exception {
    String json =
        "["
            + String.join(
                ",",
                result("bulwark_count", 1, 60.0, 0),
                result("resilience4j_count", 1, 12.0, 24),
                result("failsafe_count", 1, 5.0, 392),
                result("bulwark_count", 2, 100.0, 0),
                result("resilience4j_count", 2, 10.0, 24))
            + "]";
    new ObjectMapper().readTree(json); // the fixture itself is valid JSON
    Path in = Files.writeString(dir.resolve("r.json"), json);
    Path out = dir.resolve("t.md");

    Report.main(new String[] {out.toString(), "t", in.toString()});

    String table = Files.readString(out);
    assertThat(table)
        .contains(
            "| variant | threads | bulwark | resilience4j | failsafe | ÷ resilience4j | ÷ failsafe |")
        .contains("| count | 1 | 60.00 ± 0.50 ops/us, 0 B/op | 12.00 ± 0.50 ops/us, 24 B/op |")
        .contains("| 5.00× | 12.00× |")
        .contains(
            "| count | 2 | 100.00 ± 0.50 ops/us, 0 B/op | 10.00 ± 0.50 ops/us, 24 B/op |  | 10.00× |  |");
  }

  @Test
  void checksEachMeasuredTargetAndSaysWhetherItWasMet(@TempDir Path dir) throws Exception {
    String json =
        "["
            + String.join(
                ",",
                result("bulwark_count", 1, 60.0, 0.001),
                result("resilience4j_count", 1, 12.0, 24),
                result("bulwark_count", 2, 30.0, 16),
                result("resilience4j_count", 2, 10.0, 24))
            + "]";
    Path in = Files.writeString(dir.resolve("r.json"), json);
    Path out = dir.resolve("t.md");

    Report.main(new String[] {out.toString(), "t", in.toString()});

    String table = Files.readString(out);
    assertThat(table)
        .contains("1 of 2 targets met in this run.")
        .contains(
            "| circuit breaker, count window | 1 | ≥ 4× resilience4j, 0 B/op | 5.00×, 0 B/op | met |")
        .contains(
            "| circuit breaker, count window | 2 | ≥ 4× resilience4j, 0 B/op | 3.00×, 16 B/op |"
                + " **missed** |")
        .doesNotContain("slow-call");
  }

  @Test
  void rendersTheMixedVariantAsARowOfItsOwnWithoutATarget(@TempDir Path dir) throws Exception {
    String json =
        "["
            + String.join(
                ",",
                result("bulwark_count", 2, 80.0, 0),
                result("resilience4j_count", 2, 10.0, 0),
                result("bulwark_countMixed", 2, 20.0, 0),
                result("resilience4j_countMixed", 2, 8.0, 0),
                result("failsafe_countMixed", 2, 4.0, 400))
            + "]";
    Path in = Files.writeString(dir.resolve("r.json"), json);
    Path out = dir.resolve("t.md");

    Report.main(new String[] {out.toString(), "t", in.toString()});

    String table = Files.readString(out);
    assertThat(table)
        .contains(
            "| countMixed | 2 | 20.00 ± 0.50 ops/us, 0 B/op | 8.00 ± 0.50 ops/us, 0 B/op |"
                + " 4.00 ± 0.50 ops/us, 400 B/op | 2.50× | 5.00× |")
        .contains(
            "| count | 2 | 80.00 ± 0.50 ops/us, 0 B/op | 10.00 ± 0.50 ops/us, 0 B/op |  | 8.00× |  |")
        .contains("1 of 1 targets met in this run.")
        .doesNotContain("| circuit breaker, count window | 2 | ≥ 4× resilience4j, 0 B/op | 2.50×");
  }

  private static String json(String... results) {
    return "[" + String.join(",", results) + "]";
  }

  private static String render(Path dir, String json) throws Exception {
    new ObjectMapper().readTree(json); // the fixture itself is valid JSON
    Path in = Files.writeString(dir.resolve("r.json"), json);
    Path out = dir.resolve("t.md");
    Report.main(new String[] {out.toString(), "t", in.toString()});
    return Files.readString(out);
  }

  private static String metrics(String method, int threads, double score) {
    return """
        {"benchmark": "dev.bulwark.benchmarks.MetricsBenchmark.%s", "threads": %d, "mode": "thrpt",
         "primaryMetric": {"score": %s, "scoreError": 1.0, "scoreUnit": "ops/us"},
         "secondaryMetrics": {"gc.alloc.rate.norm": {"score": 0.0, "scoreUnit": "B/op"}}}
        """
        .formatted(method, threads, score);
  }

  @Test
  void checksThatBoundMetricsCostAtMostFifteenPercentOfTheUnboundThroughput(@TempDir Path dir)
      throws Exception {
    String table =
        render(
            dir,
            json(
                metrics("bulwark_breaker", 1, 100.0),
                metrics("bulwarkBound_breaker", 1, 90.0),
                metrics("resilience4j_breaker", 1, 20.0),
                metrics("bulwark_pipeline", 2, 50.0),
                metrics("bulwarkBound_pipeline", 2, 40.0)));

    assertThat(table)
        .contains("1 of 2 targets met in this run.")
        .contains(
            "| metrics bound, circuit breaker | 1 | bound ≥ 1/1.15 of unbound (≤ 1.15× the cost) |"
                + " 0.90×, 0 B/op | met |")
        .contains(
            "| metrics bound, pipeline of four | 2 | bound ≥ 1/1.15 of unbound (≤ 1.15× the cost) |"
                + " 0.80×, 0 B/op | **missed** |")
        .contains("| variant | threads | bulwark | bulwarkBound | resilience4j | ÷ bulwarkBound |")
        .contains(
            "| breaker | 1 | 100.00 ± 1.00 ops/us, 0 B/op | 90.00 ± 1.00 ops/us, 0 B/op |"
                + " 20.00 ± 1.00 ops/us, 0 B/op | 1.11× | 5.00× |");
  }

  private static String http(String method, int threads, double p50, double p99) {
    return """
        {"benchmark": "dev.bulwark.benchmarks.HttpClientBenchmark.%s", "threads": %d,
         "mode": "sample",
         "primaryMetric": {"score": %s, "scoreError": 3.0, "scoreUnit": "us/op",
           "scorePercentiles": {"0.0": 1.0, "50.0": %s, "90.0": %s, "99.0": %s, "100.0": 9e3}}}
        """
        .formatted(method, threads, p50 * 1.1, p50, p99, p99);
  }

  @Test
  void comparesTheMediansOfSampleModeRowsAsPeerTimeOverBulwarksTime(@TempDir Path dir)
      throws Exception {
    String table =
        render(
            dir,
            json(
                http("bulwark", 1, 102.0, 300.0),
                http("baseline", 1, 100.0, 250.0),
                http("bulwark", 2, 110.0, 400.0),
                http("baseline", 2, 100.0, 350.0)));

    assertThat(table)
        .contains("1 of 2 targets met in this run.")
        .contains(
            "| HTTP client, healthy GET (p50) | 1 | p50 ≤ 1.03× the bare JDK client's |"
                + " 0.98× (p50 102.0 vs 100.0 us/op) | met |")
        .contains(
            "| HTTP client, healthy GET (p50) | 2 | p50 ≤ 1.03× the bare JDK client's |"
                + " 0.91× (p50 110.0 vs 100.0 us/op) | **missed** |")
        .contains(
            "| — | 1 | p50 102.00, p99 300.00 us/op | p50 100.00, p99 250.00 us/op | 0.98× |");
  }

  private static String wave(String method, double fraction, double p99) {
    return """
        {"benchmark": "dev.bulwark.benchmarks.VirtualThreadScaleBenchmark.%s", "threads": 1,
         "mode": "ss",
         "primaryMetric": {"score": 2.1, "scoreError": "NaN", "scoreUnit": "s/op"},
         "secondaryMetrics": {
           "fractionOfIdeal": {"score": %s, "scoreUnit": "#"},
           "addedP50Millis": {"score": 985.0, "scoreUnit": "#"},
           "addedP99Millis": {"score": %s, "scoreUnit": "#"},
           "gc.alloc.rate.norm": {"score": 4.0E7, "scoreUnit": "B/op"}}}
        """
        .formatted(method, fraction, p99);
  }

  @Test
  void checksVirtualThreadWavesAgainstTheIdealAndAgainstResilience4j(@TempDir Path dir)
      throws Exception {
    String table =
        render(
            dir,
            json(
                wave("bulwark_bulkhead", 0.97, 1001.5),
                wave("resilience4j_bulkhead", 0.96, 1003.0),
                wave("failsafe_bulkhead", 0.5, 3000.0),
                wave("bulwark_pipeline", 0.94, 1010.0),
                wave("resilience4j_pipeline", 0.90, 1050.0)));

    assertThat(table)
        .contains("1 of 2 targets met in this run.")
        .contains(
            "| 10,000 virtual threads, bulkhead of 100 | 1 | ≥ 95 % of ideal and ≥ resilience4j's"
                + " fraction | 97.0 % of ideal (resilience4j 96.0 %), p99 added +1001.5 ms"
                + " (resilience4j +1003.0 ms) | met |")
        .contains(
            "| 10,000 virtual threads, pipeline of four | 1 | ≥ 95 % of ideal and ≥ resilience4j's"
                + " fraction | 94.0 % of ideal (resilience4j 90.0 %), p99 added +1010.0 ms"
                + " (resilience4j +1050.0 ms) | **missed** |")
        .contains(
            "| bulkhead | 1 | 97.0 % of ideal, added p50 +985.0 ms, p99 +1001.5 ms |"
                + " 96.0 % of ideal, added p50 +985.0 ms, p99 +1003.0 ms |"
                + " 50.0 % of ideal, added p50 +985.0 ms, p99 +3000.0 ms | 1.01× | 1.94× |");
  }

  private static String redis(String method, String mode, String keys, double score) {
    return """
        {"benchmark": "dev.bulwark.benchmarks.RedisRateLimiterBenchmark.%s", "threads": 1,
         "mode": "%s", "params": {"keys": "%s"},
         "primaryMetric": {"score": %s, "scoreError": 1.0, "scoreUnit": "%s",
           "scorePercentiles": {"50.0": %s, "99.0": %s}}}
        """
        .formatted(
            method,
            mode,
            keys,
            score,
            mode.equals("sample") ? "ms/op" : "ops/ms",
            score,
            score * 2);
  }

  @Test
  void keepsRowsOfDifferentParametersAndModesApartAndShowsUnlistedPeers(@TempDir Path dir)
      throws Exception {
    String table =
        render(
            dir,
            json(
                redis("bulwark_tryAcquire", "thrpt", "1", 40.0),
                redis("bucket4j_tryAcquire", "thrpt", "1", 20.0),
                redis("bulwark_tryAcquire", "thrpt", "10000", 30.0),
                redis("bucket4j_tryAcquire", "thrpt", "10000", 10.0),
                redis("bulwark_tryAcquire", "sample", "1", 0.05),
                redis("bucket4j_tryAcquire", "sample", "1", 0.1)));

    assertThat(table)
        .contains("| variant | threads | bulwark | bucket4j | ÷ bucket4j |")
        .contains(
            "| tryAcquire, keys=1, thrpt | 1 | 40.00 ± 1.00 ops/ms | 20.00 ± 1.00 ops/ms | 2.00× |")
        .contains(
            "| tryAcquire, keys=10000, thrpt | 1 | 30.00 ± 1.00 ops/ms | 10.00 ± 1.00 ops/ms | 3.00× |")
        .contains(
            "| tryAcquire, keys=1, sample | 1 | p50 0.05, p99 0.10 ms/op | p50 0.10, p99 0.20 ms/op"
                + " | 2.00× |")
        .doesNotContain("## Targets");
  }

  @Test
  void judgesStreamingAgainstTheValidatingLoopAndShowsTheUncheckedLoopBeside(@TempDir Path dir)
      throws Exception {
    String json =
        "["
            + String.join(
                    ",",
                    result("bulwark_discard", 1, 46.0, 0.3),
                    result("validated_discard", 1, 50.0, 0),
                    result("handwritten_discard", 1, 100.0, 88),
                    result("bulwark_socket", 1, 18.0, 0.3),
                    result("validated_socket", 1, 20.0, 0))
                .replace("CircuitBreakerBenchmark", "StreamingBenchmark")
            + "]";
    Path in = Files.writeString(dir.resolve("r.json"), json);
    Path out = dir.resolve("t.md");

    Report.main(new String[] {out.toString(), "t", in.toString()});

    String table = Files.readString(out);
    assertThat(table)
        .contains(
            "| variant | threads | bulwark | validated | handwritten | ÷ validated | ÷ handwritten |")
        .contains("| discard | 1 |")
        .contains("| 0.92× | 0.46× |")
        .contains(
            "| streaming NDJSON to a discarding stream, checked as Bulwark checks | 1 |"
                + " ≥ 0.9× validated, 0 B/op | 0.92×, 0 B/op | met |")
        .contains(
            "| streaming NDJSON to a loopback socket, checked as Bulwark checks | 1 |"
                + " ≥ 0.95× validated, 0 B/op | 0.90×, 0 B/op | **missed** |")
        .doesNotContain("≥ 0.9× handwritten");
  }
}
