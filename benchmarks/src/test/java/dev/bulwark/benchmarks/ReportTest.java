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
        .contains(
            "| streaming NDJSON to a discarding stream | 1 | ≥ 0.9× handwritten | 0.46×, 0 B/op |");
  }
}
