package dev.bulwark.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.benchmarks.report.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * One short iteration of one benchmark pair, in process, so that the benchmarks and the report
 * cannot rot unnoticed. The real runs are made with {@code benchmarks/run}.
 */
class SmokeTest {

  @Test
  void pipelineBenchmarkRunsAndRendersARatio(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("smoke.json");
    new Runner(
            new OptionsBuilder()
                .include(PipelineBenchmark.class.getName() + "\\.(bulwark|resilience4j)$")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(200))
                .threads(1)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString())
                .shouldFailOnError(true)
                .build())
        .run();

    Path table = dir.resolve("table.md");
    Report.main(new String[] {table.toString(), "smoke", json.toString()});
    String markdown = Files.readString(table);
    assertThat(markdown).contains("## Pipeline").contains("| bulwark | resilience4j |");
    assertThat(markdown).containsPattern("\\| — \\| 1 \\| [0-9.]+ ops/us .*×");
    assertThat(markdown).contains("## Targets").contains("| pipeline of four | 1 |");
  }
}
