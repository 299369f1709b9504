package dev.bulwark.docs.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The library modules' archives are reproducible: every entry of the main, sources and javadoc jar
 * carries {@code project.build.outputTimestamp}, not the time of the build. (Building twice and
 * comparing hashes would say the same at twice the cost.)
 */
class ReproducibleBuildTest {

  @ParameterizedTest
  @ValueSource(strings = {"resilience-core", "streaming", "lifecycle"})
  void everyArchiveEntryCarriesTheConfiguredTimestamp(String module) throws IOException {
    String version = System.getProperty("bulwark.version");
    LocalDateTime expected =
        OffsetDateTime.parse(System.getProperty("bulwark.outputTimestamp"))
            .withOffsetSameInstant(ZoneOffset.UTC)
            .toLocalDateTime();
    Path target = Site.dir("bulwark.root").resolve(module).resolve("target");
    for (String suffix : List.of(".jar", "-sources.jar", "-javadoc.jar")) {
      Path jar = target.resolve(module + "-" + version + suffix);
      assertThat(jar).as("built by mvn verify").isRegularFile();
      List<String> off = new ArrayList<>();
      int entries = 0;
      try (ZipFile zip = new ZipFile(jar.toFile())) {
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
          ZipEntry entry = e.nextElement();
          entries++;
          if (!entry.getTimeLocal().equals(expected)) {
            off.add(entry.getName() + " at " + entry.getTimeLocal());
          }
        }
      }
      assertThat(entries).as("entries of %s", jar.getFileName()).isPositive();
      assertThat(off)
          .as(
              "entries of %s not at %s (a stale jar? run mvn clean verify)",
              jar.getFileName(), expected)
          .isEmpty();
      assertThat(Files.size(jar)).isPositive();
    }
  }
}
