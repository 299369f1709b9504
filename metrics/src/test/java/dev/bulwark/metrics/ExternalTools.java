package dev.bulwark.metrics;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Finds Prometheus's binaries; fails when CI=true and they are missing, else skips. */
final class ExternalTools {

  private ExternalTools() {}

  static Path require(String binary) {
    Optional<Path> found =
        Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
            .map(dir -> Path.of(dir, binary))
            .filter(Files::isExecutable)
            .findFirst();
    if (found.isPresent()) {
      return found.get();
    }
    if ("true".equals(System.getenv("CI"))) {
      fail(binary + " is not on the PATH; CI must install Debian's prometheus package");
    }
    Assumptions.abort(binary + " is not on the PATH (install Debian's prometheus package)");
    throw new AssertionError("unreachable");
  }
}
