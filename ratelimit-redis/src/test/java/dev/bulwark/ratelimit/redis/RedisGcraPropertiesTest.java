package dev.bulwark.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.ratelimit.Decision;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The Redis script decides exactly as the in-memory limiter does: for any shape and any sequence of
 * arrivals on whole microseconds, the same grants, and a retry-after equal to the in-memory one
 * rounded up to the microsecond. Time is virtual on both sides (a fake clock passed to the script).
 * Periods are long (at least 1,000 s), so no key expires on Redis's real clock during a try.
 */
class RedisGcraPropertiesTest {

  private static RedisServer server;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static final AtomicInteger TRY = new AtomicInteger();

  @BeforeContainer
  static void startRedis() {
    server = RedisServer.start();
    try {
      client = RedisClient.create(server.uri());
      connection = client.connect();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  @AfterContainer
  static void stopRedis() {
    try {
      if (connection != null) {
        connection.close();
      }
      if (client != null) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  record Shape(int permits, long periodSeconds, int burst) {}

  record Arrival(long gapMicros, int permits) {}

  @Provide
  Arbitrary<Shape> shapes() {
    return Combinators.combine(
            Arbitraries.integers().between(1, 50),
            Arbitraries.longs().between(1_000, 10_000),
            Arbitraries.integers().between(1, 10))
        .as(Shape::new);
  }

  @Provide
  Arbitrary<List<Arrival>> arrivals() {
    return Combinators.combine(
            Arbitraries.longs().between(0, 400_000_000L), Arbitraries.integers().between(1, 10))
        .as(Arrival::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(25);
  }

  @Property(tries = 100)
  void decidesAsTheInMemoryLimiterToTheMicrosecond(
      @ForAll("shapes") Shape shape, @ForAll("arrivals") List<Arrival> arrivals) {
    AtomicLong clock = new AtomicLong(1_700_000_000_000_000L);
    ManualTimeSource time = new ManualTimeSource();
    String name = "p" + TRY.incrementAndGet();
    Duration period = Duration.ofSeconds(shape.periodSeconds());
    RateLimiter redis =
        RateLimiter.builder(name)
            .rate(shape.permits(), period)
            .burst(shape.burst())
            .store(
                RedisRateLimiterStore.builder("props", connection)
                    .onRedisFailure(FailureMode.failClosed())
                    .timeout(Duration.ofSeconds(5))
                    .clockMicrosForTests(clock::get)
                    .build())
            .build();
    RateLimiter memory =
        RateLimiter.builder(name)
            .rate(shape.permits(), period)
            .burst(shape.burst())
            .timeSource(time)
            .build();
    for (Arrival arrival : arrivals) {
      clock.addAndGet(arrival.gapMicros());
      time.advance(Duration.ofNanos(arrival.gapMicros() * 1_000));
      int n = Math.min(arrival.permits(), shape.burst());
      Decision expected = memory.decide(n);
      Decision actual = redis.decide(n);
      assertThat(actual.granted()).isEqualTo(expected.granted());
      long expectedMicros = Math.ceilDiv(expected.retryAfter().toNanos(), 1_000);
      assertThat(actual.retryAfter()).isEqualTo(Duration.ofNanos(expectedMicros * 1_000));
      assertThat(redis.availablePermits()).isEqualTo(memory.availablePermits());
    }
  }
}
