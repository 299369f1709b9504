package dev.bulwark.benchmarks;

import dev.bulwark.ratelimit.redis.FailureMode;
import dev.bulwark.ratelimit.redis.RedisRateLimiterStore;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A shared rate limit decided on a real Redis (a {@code redis-server} started for the trial on a
 * free loopback port): Bulwark's one-script store against bucket4j's Lettuce backend
 * (compare-and-swap), on one hot key or spread over 10,000 keys. The limit is far above the load,
 * so every decision is a grant and the score is the cost of the decision itself. Run it with {@code
 * -t 1}, {@code -t 16} and {@code -t 400}.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 2, time = 3)
@Fork(1)
public class RedisRateLimiterBenchmark {

  @Param({"1", "10000"})
  public int keys;

  private Process server;
  private RedisClient client;
  private StatefulRedisConnection<String, String> bulwarkConnection;
  private StatefulRedisConnection<String, byte[]> bucket4jConnection;
  private KeyedRateLimiter<String> bulwark;
  private BucketProxy[] buckets;
  private String[] names;

  @Setup
  public void setUp() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    server =
        new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                Files.createTempDirectory("bench-redis").toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.contains("Ready to accept connections")) {
      // wait for the server
    }
    Thread.ofVirtual().start(() -> out.lines().forEach(l -> {}));
    client = RedisClient.create("redis://127.0.0.1:" + port);
    bulwarkConnection = client.connect();
    bucket4jConnection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    bulwark =
        KeyedRateLimiter.builder("bench")
            .rate(1_000_000_000, Duration.ofSeconds(1))
            .store(
                RedisRateLimiterStore.builder("bench", bulwarkConnection)
                    .onRedisFailure(FailureMode.failClosed())
                    .timeout(Duration.ofSeconds(10))
                    .build())
            .build();
    LettuceBasedProxyManager<String> proxies =
        Bucket4jLettuce.casBasedBuilder(bucket4jConnection).build();
    BucketConfiguration configuration =
        BucketConfiguration.builder()
            .addLimit(
                Bandwidth.builder()
                    .capacity(1_000_000_000L)
                    .refillGreedy(1_000_000_000L, Duration.ofSeconds(1))
                    .build())
            .build();
    names = new String[keys];
    buckets = new BucketProxy[keys];
    for (int k = 0; k < keys; k++) {
      names[k] = "k" + k;
      buckets[k] = proxies.builder().build("b4j:k" + k, () -> configuration);
    }
  }

  @TearDown
  public void tearDown() throws InterruptedException {
    bulwarkConnection.close();
    bucket4jConnection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    server.destroyForcibly().waitFor();
  }

  private int key() {
    return keys == 1 ? 0 : ThreadLocalRandom.current().nextInt(keys);
  }

  @Benchmark
  public boolean bulwark_tryAcquire() {
    return bulwark.tryAcquire(names[key()]);
  }

  @Benchmark
  public boolean bucket4j_tryAcquire() {
    return buckets[key()].tryConsume(1);
  }
}
