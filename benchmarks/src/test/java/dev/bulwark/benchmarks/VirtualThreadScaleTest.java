package dev.bulwark.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.benchmarks.report.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The virtual-thread scale scenario, small: a wave of 1,000 virtual threads through each
 * implementation's bulkhead and pipeline of the benchmark, and one real wave of the benchmark
 * through JMH and the report, so that neither can rot.
 */
class VirtualThreadScaleTest {

  private static final int CALLERS = 1_000;
  private static final int CALLS_PER_CALLER = 2;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bulwark_bulkhead",
        "resilience4j_bulkhead",
        "failsafe_bulkhead",
        "bulwark_pipeline",
        "resilience4j_pipeline",
        "failsafe_pipeline"
      })
  void everyCallOfASmallWaveSucceedsWithinTheBulkheadOf100(String implementation) {
    VirtualThreadScaleBenchmark benchmark = new VirtualThreadScaleBenchmark();
    benchmark.setUp();
    VirtualThreadWave.ProtectedCall call =
        Map.of(
                "bulwark_bulkhead", benchmark.bulwarkBulkhead,
                "resilience4j_bulkhead", benchmark.r4jBulkhead,
                "failsafe_bulkhead", benchmark.failsafeBulkhead,
                "bulwark_pipeline", benchmark.bulwarkPipeline,
                "resilience4j_pipeline", benchmark.r4jPipeline,
                "failsafe_pipeline", benchmark.failsafePipeline)
            .get(implementation);

    VirtualThreadWave.Result result =
        assertTimeoutPreemptively(
            Duration.ofSeconds(60), () -> benchmark.wave.run(CALLERS, CALLS_PER_CALLER, call));

    assertThat(result.calls()).isEqualTo(CALLERS * CALLS_PER_CALLER);
    assertThat(result.maxInFlight()).isBetween(1, VirtualThreadScaleBenchmark.CONCURRENCY);
    // every call works 10 ms and at most 100 work at once: the wave cannot beat the ideal
    assertThat(result.fractionOfIdeal(VirtualThreadScaleBenchmark.CONCURRENCY))
        .isGreaterThan(0)
        .isLessThanOrEqualTo(1);
    assertThat(result.addedMillis(50)).isGreaterThanOrEqualTo(0);
    assertThat(result.addedMillis(99)).isGreaterThanOrEqualTo(result.addedMillis(50));
  }

  @Test
  void aWaveWhoseCallsFailFailsWithTheFirstFailureAsItsCause() {
    VirtualThreadWave wave = new VirtualThreadWave();
    IllegalStateException failure = new IllegalStateException("refused");

    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () ->
            assertThat(
                    org.assertj.core.api.Assertions.catchThrowable(
                        () ->
                            wave.run(
                                10,
                                1,
                                () -> {
                                  throw failure;
                                })))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("10 of 10 callers failed; the first failure is the cause")
                .hasCause(failure));
  }

  @Test
  void oneWaveThroughJmhRendersTheTargetRow(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("vt.json");
    assertTimeoutPreemptively(
        Duration.ofSeconds(120),
        () ->
            new Runner(
                    new OptionsBuilder()
                        .include(
                            VirtualThreadScaleBenchmark.class.getName()
                                + "\\.(bulwark|resilience4j)_bulkhead$")
                        .forks(0)
                        .warmupIterations(0)
                        .measurementIterations(1)
                        .threads(1)
                        .resultFormat(ResultFormatType.JSON)
                        .result(json.toString())
                        .shouldFailOnError(true)
                        .build())
                .run());

    Path table = dir.resolve("table.md");
    Report.main(new String[] {table.toString(), "smoke", json.toString()});
    String markdown = Files.readString(table);
    assertThat(markdown)
        .contains("## VirtualThreadScale")
        .containsPattern("\\| bulkhead \\| 1 \\| [0-9.]+ % of ideal, added p50 \\+[0-9.]+ ms")
        .containsPattern(
            "\\| 10,000 virtual threads, bulkhead of 100 \\| 1 \\| ≥ 95 % of ideal and ≥"
                + " resilience4j's fraction \\| [0-9.]+ % of ideal \\(resilience4j [0-9.]+ %\\)");
  }
}
