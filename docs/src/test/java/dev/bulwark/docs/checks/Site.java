package dev.bulwark.docs.checks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the build put the site and its sources (system properties set by the docs POM). */
final class Site {
  private Site() {}

  static Path dir(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException(
          "system property " + property + " is not set; run the docs tests through Maven");
    }
    return Path.of(value);
  }

  static Path site() {
    return dir("bulwark.docs.site");
  }

  static Path sources() {
    return dir("bulwark.docs.sources");
  }

  /** The site's own pages (not the unpacked javadoc). */
  static List<Path> pages() {
    return files(site(), ".html").stream()
        .filter(p -> !site().relativize(p).startsWith("api"))
        .toList();
  }

  static List<Path> files(Path dir, String suffix) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
