package dev.bulwark.docs.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Screenshots of the rendered entry page and one guide, by headless Chromium, kept in
 * docs/target/screenshots so a reviewer sees what a reader sees. Without Chromium the test skips,
 * except on CI ({@code CI=true}), where it fails.
 */
class ScreenshotTest {
  static final int WIDTH = 1280;
  static final int HEIGHT = 1600;

  @ParameterizedTest
  @ValueSource(strings = {"index.html", "circuit-breaker.html", "metrics.html"})
  void chromiumRendersThePage(String page) throws Exception {
    Optional<Path> chromium = chromium();
    if (chromium.isEmpty()) {
      boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
      assertThat(ci).as("CI=true but no chromium on the PATH: install Debian's chromium").isFalse();
      Assumptions.abort("no chromium on the PATH; screenshots need Debian's chromium");
    }
    Path out = Site.dir("bulwark.docs.screenshots");
    Files.createDirectories(out);
    Path png = out.resolve(page.replace(".html", ".png"));
    Files.deleteIfExists(png);
    Path profile = Files.createTempDirectory("bulwark-chromium-");
    try {
      List<String> command =
          new ArrayList<>(
              List.of(
                  chromium.get().toString(),
                  "--headless",
                  "--no-sandbox",
                  "--disable-gpu",
                  "--disable-quic",
                  "--no-first-run",
                  "--disable-background-networking",
                  "--disable-component-update",
                  "--disable-sync",
                  "--hide-scrollbars",
                  "--user-data-dir=" + profile,
                  "--screenshot=" + png,
                  "--window-size=" + WIDTH + "," + HEIGHT,
                  Site.site().resolve(page).toUri().toString()));
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.resolve(page + ".chromium.log").toFile())
              .start();
      try {
        assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(120),
            () -> assertThat(process.waitFor()).as("chromium's exit code").isZero());
      } finally {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } finally {
      deleteTree(profile);
    }
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).as("a PNG at %s", png).isNotNull();
    assertThat(image.getWidth()).isEqualTo(WIDTH);
    assertThat(image.getHeight()).isEqualTo(HEIGHT);
    assertThat(distinctColours(image)).as("a rendered page, not a blank one").isGreaterThan(50);
  }

  static Optional<Path> chromium() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      for (String name : List.of("chromium", "chromium-browser")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  static int distinctColours(BufferedImage image) {
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 4) {
      for (int x = 0; x < image.getWidth(); x += 4) {
        colours.add(image.getRGB(x, y));
      }
    }
    return colours.size();
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
