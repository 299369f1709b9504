package dev.bulwark.docs.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The quick start's {@code curl} lines are copied from the samples README, whose lines its tests
 * run against the real service: a line changed there and not here fails the build.
 */
class QuickStartSampleTest {

  @Test
  void everyCurlLineOfTheQuickStartIsOneOfTheSamplesReadme() throws IOException {
    List<String> readme =
        Files.readAllLines(Site.dir("bulwark.root").resolve("samples/README.md")).stream()
            .map(String::strip)
            .toList();
    List<String> curls =
        Files.readAllLines(Site.sources().resolve("quick-start.adoc")).stream()
            .map(String::strip)
            .filter(l -> l.startsWith("curl ") || l.startsWith("samples/run"))
            .toList();
    assertThat(curls).as("curl lines in quick-start.adoc").hasSizeGreaterThanOrEqualTo(4);
    assertThat(readme).containsAll(curls);
  }
}
