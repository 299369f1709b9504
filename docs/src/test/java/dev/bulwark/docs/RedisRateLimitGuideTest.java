package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.ratelimit.redis.FailureMode;
import dev.bulwark.ratelimit.redis.RedisRateLimiterStore;
import dev.bulwark.ratelimit.redis.RedisUnavailableException;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/**
 * The distributed rate limiting section of the rate limiting guide, against a real redis-server of
 * each test's own (a free loopback port, persistence off, a temporary directory).
 */
class RedisRateLimitGuideTest {

  /** One instance of a service: its own Redis connection, store and limiter. */
  record Instance(
      RedisClient client, StatefulRedisConnection<String, String> connection, RateLimiter partner)
      implements AutoCloseable {

    static Instance connect(String redisUri, FailureMode onRedisFailure) {
      RedisClient client = RedisClient.create(redisUri);
      client.setOptions(
          ClientOptions.builder()
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .build());
      StatefulRedisConnection<String, String> connection = client.connect();
      // tag::store[]
      RedisRateLimiterStore store =
          RedisRateLimiterStore.builder("limits", connection) // one shared connection
              .onRedisFailure(onRedisFailure) // required: there is no default
              .timeout(Duration.ofMillis(100)) // the most a decision waits for Redis
              .build();
      RateLimiter partner =
          RateLimiter.builder("partner") // the same name on every instance: one bucket
              .rate(1_000, Duration.ofHours(1)) // a partner's hourly quota ...
              .burst(20) // ... of which 20 at once
              .store(store)
              .build();
      // end::store[]
      return new Instance(client, connection, partner);
    }

    @Override
    public void close() {
      try {
        connection.close();
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void twoInstancesShareOneBurstThroughRedis() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          try (Redis redis = Redis.start();
              Instance a = Instance.connect(redis.uri(), FailureMode.localLimit(2));
              Instance b = Instance.connect(redis.uri(), FailureMode.localLimit(2))) {
            int granted = 0;
            for (int i = 0; i < 15; i++) {
              granted += a.partner().tryAcquire() ? 1 : 0;
              granted += b.partner().tryAcquire() ? 1 : 0;
            }
            // a permit takes 3.6 s to come back: the two instances share the burst of 20
            assertThat(granted).isEqualTo(20);
          }
        });
  }

  @Test
  void failingClosedRefusesWithATypedRejectionWhileRedisIsDown() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          try (Redis redis = Redis.start();
              Instance a = Instance.connect(redis.uri(), FailureMode.failClosed())) {
            assertThat(a.partner().tryAcquire()).isTrue();
            redis.stop();
            // tag::fail-closed[]
            assertThatThrownBy(() -> a.partner().tryAcquire())
                .isInstanceOf(RedisUnavailableException.class) // a RejectedException
                .hasMessageContaining("fails closed");
            // end::fail-closed[]
            assertThatThrownBy(() -> a.partner().tryAcquire())
                .isInstanceOf(RejectedException.class);
          }
        });
  }

  /** A redis-server on a free loopback port; absent, it fails when CI=true and skips otherwise. */
  static final class Redis implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Process process;

    private Redis(Path dir, int port, Process process) {
      this.dir = dir;
      this.port = port;
      this.process = process;
    }

    static Redis start() throws IOException {
      String binary = binary();
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      Path dir = Files.createTempDirectory("bulwark-docs-redis");
      Process process =
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
      Redis redis = new Redis(dir, port, process);
      try {
        redis.awaitReady();
        return redis;
      } catch (IOException | RuntimeException e) {
        redis.close();
        throw e;
      }
    }

    private static String binary() {
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

    private void awaitReady() throws IOException {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      StringBuilder seen = new StringBuilder();
      String line;
      while ((line = out.readLine()) != null) {
        seen.append(line).append('\n');
        if (line.contains("Ready to accept connections")) {
          Thread.ofVirtual().name("docs-redis-log-" + port).start(() -> drain(out));
          return;
        }
      }
      throw new IllegalStateException("redis-server did not start:\n" + seen);
    }

    private static void drain(BufferedReader out) {
      try {
        while (out.readLine() != null) {
          // the server's log is not needed once it is ready
        }
      } catch (IOException e) {
        // the server is gone: nothing more to read
      }
    }

    String uri() {
      return "redis://127.0.0.1:" + port;
    }

    /** Kills the server and waits for it to be gone. */
    void stop() throws InterruptedException {
      process.destroyForcibly();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server did not stop");
      }
    }

    @Override
    public void close() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
