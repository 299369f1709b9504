package dev.bulwark.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AlertRulesTest {

  @Test
  void promtoolAcceptsTheAlertRules() throws Exception {
    Path promtool = ExternalTools.require("promtool");
    Path rules =
        Path.of("src/main/resources/dev/bulwark/metrics/bulwark-alerts.yml").toAbsolutePath();
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "rules", rules.toString())
            .redirectErrorStream(true)
            .start();
    try {
      assertThat(p.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS)).isTrue();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(output).isZero();
      assertThat(output).contains("SUCCESS: 5 rules found");
    } finally {
      p.destroyForcibly();
    }
  }
}
