package dev.bulwark.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** A real service on free loopback ports with its own temp data dir; close() stops it. */
final class TestService implements AutoCloseable {

  static final String ADMIN_TOKEN = "test-admin-token";

  final Service service;
  final ServiceConfig config;
  final Path dataDir;
  final URI base;

  private TestService(ServiceConfig config, Path dataDir) throws Exception {
    this.config = config;
    this.dataDir = dataDir;
    this.service = new Service(config);
    try {
      service.start();
    } catch (Exception | Error e) {
      service.stop();
      throw e;
    }
    this.base = URI.create("http://127.0.0.1:" + service.port());
  }

  /** Starts a service on free ports: a healthy upstream, fast ticks, admin on. */
  static TestService start(UnaryOperator<ServiceConfig> tweak) throws Exception {
    // the data directory sits in a fresh directory of its own, so that a test can check that
    // nothing escaped next to it (the shared /tmp may hold anything)
    Path dir = Files.createDirectory(Files.createTempDirectory("bulwark-samples-").resolve("data"));
    ServiceConfig config =
        tweak.apply(
            ServiceConfig.defaults(dir)
                .withPorts(0, 0)
                .withAdminToken(ADMIN_TOKEN)
                .withUpstreamFaults(
                    new SimulatedUpstream.Faults(0, Duration.ofMillis(1), Duration.ZERO))
                .withTiming(
                    Duration.ofMillis(40),
                    Duration.ofMillis(300),
                    Duration.ofSeconds(2),
                    Duration.ofMillis(100)));
    return new TestService(config, dir);
  }

  URI uri(String pathAndQuery) {
    return base.resolve(pathAndQuery);
  }

  SimulatedUpstream.Counters upstreamCounters() {
    return service.upstreamCounters();
  }

  @Override
  public void close() {
    try {
      service.stop();
    } finally {
      deleteTree(dataDir.getParent());
    }
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
