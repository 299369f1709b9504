package dev.bulwark.ratelimit.redis;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.opentest4j.TestAbortedException;

/**
 * A real redis-server for one test class: a free loopback port, persistence off, a temporary
 * directory; stopped by {@link #close()}. Absent redis-server fails when {@code CI=true} and skips
 * otherwise.
 */
final class RedisServer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private Process process;

  private RedisServer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Starts a server on a free port, or fails/skips when redis-server is not installed. */
  static RedisServer start() {
    String binary = binary();
    try {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      RedisServer server = new RedisServer(Files.createTempDirectory("bulwark-redis"), port);
      server.launch(binary);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String binary() {
    for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
      File f = new File(dir, "redis-server");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(
          "redis-server is required when CI=true: apt-get install redis-server");
    }
    throw new TestAbortedException("redis-server is not installed; skipped outside CI");
  }

  private void launch(String binary) throws IOException {
    process =
        new ProcessBuilder(
                binary,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null) {
      seen.append(line).append('\n');
      if (line.contains("Ready to accept connections")) {
        Thread drain =
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        while (out.readLine() != null) {
                          // discard the log
                        }
                      } catch (IOException e) {
                        // the server is gone
                      }
                    });
        drain.setName("redis-log-" + port);
        return;
      }
    }
    throw new IllegalStateException("redis-server did not start:\n" + seen);
  }

  int port() {
    return port;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  /** Sends a signal (STOP, CONT, KILL) to the server. */
  void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Kills the server (SIGKILL) and waits for it to be gone. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts a new, empty server on the same port. */
  void restart() {
    kill();
    try {
      launch(binary());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (process != null) {
      kill(); // persistence is off, and SIGKILL also ends a server paused by SIGSTOP
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
