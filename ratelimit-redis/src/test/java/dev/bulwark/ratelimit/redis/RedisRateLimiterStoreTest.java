package dev.bulwark.ratelimit.redis;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.ratelimit.Decision;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimitedException;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimiterStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Decisions on a real Redis, on a fake clock passed to the script, compared with exact values. */
class RedisRateLimiterStoreTest {

  private static RedisServer server;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;

  /** Microseconds since the epoch, as the script's clock. */
  private final AtomicLong clock = new AtomicLong(1_700_000_000_000_000L);

  @BeforeAll
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

  @AfterAll
  static void stopRedis() {
    try {
      if (connection != null) {
        connection.close();
      }
      if (client != null) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    } finally {
      server.close();
    }
  }

  @BeforeEach
  void flush() {
    connection.sync().flushall();
  }

  private RedisRateLimiterStore.Builder store() {
    return RedisRateLimiterStore.builder("test", connection)
        .onRedisFailure(FailureMode.failClosed())
        .timeout(ofSeconds(2))
        .clockMicrosForTests(clock::get);
  }

  @Test
  void grantsTheBurstThenRefusesWithTheExactRetryAfter() {
    RateLimiter limiter =
        RateLimiter.builder("api").rate(3, ofSeconds(100)).burst(2).store(store().build()).build();
    assertThat(limiter.decide(2)).isSameAs(Decision.GRANTED);
    Decision refused = limiter.decide(1);
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofNanos(33_333_334_000L)); // ⌈µs⌉
    clock.addAndGet(33_333_333);
    assertThat(limiter.tryAcquire()).isFalse();
    clock.addAndGet(1);
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.availablePermits()).isZero();
    clock.addAndGet(100_000_000);
    assertThat(limiter.availablePermits()).isEqualTo(2);
  }

  @Test
  void twoStoresOnOneRedisShareTheBucketWhateverTheirBuildTime() {
    RateLimiter first =
        RateLimiter.builder("api").rate(1, ofSeconds(100)).burst(2).store(store().build()).build();
    clock.addAndGet(60_000_000);
    RateLimiter second =
        RateLimiter.builder("api").rate(1, ofSeconds(100)).burst(2).store(store().build()).build();
    int granted = 0;
    for (int i = 0; i < 4; i++) {
      granted += second.tryAcquire() ? 1 : 0;
      granted += first.tryAcquire() ? 1 : 0;
    }
    assertThat(granted).isEqualTo(2);
  }

  @Test
  void keysAreSeparateBucketsUnderThePrefixAndExpireWhenRefilled() {
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("api")
            .rate(10, ofSeconds(100))
            .burst(5)
            .store(store().keyPrefix("p:").build())
            .build();
    assertThat(limiter.tryAcquire("a", 5)).isTrue();
    assertThat(limiter.tryAcquire("a")).isFalse();
    assertThat(limiter.tryAcquire("b", 5)).isTrue();
    assertThat(connection.sync().keys("*")).containsExactlyInAnyOrder("p:a", "p:b");
    long ttl = connection.sync().pttl("p:a");
    assertThat(ttl).isBetween(1L, 50_000L); // five permits at 10 per 100 s refill in 50 s
  }

  @Test
  void aWaiterReservesAndARefundGivesTheReservationBack() throws InterruptedException {
    ManualTimeSource local = new ManualTimeSource();
    RedisRateLimiterStore store = store().build();
    RateLimiter limiter =
        RateLimiter.builder("api")
            .rate(10, ofSeconds(100))
            .burst(1)
            .timeSource(local)
            .store(store)
            .build();
    limiter.acquire(1, Duration.ZERO);
    limiter.acquire(1, ofSeconds(10)); // reserved: waits 10 s on the local clock
    assertThat(local.sleeps()).containsExactly(ofSeconds(10));
    assertThatThrownBy(() -> limiter.acquire(1, ofSeconds(15)))
        .isInstanceOf(RateLimitedException.class)
        .satisfies(
            e -> assertThat(((RateLimitedException) e).retryAfter()).contains(ofSeconds(20)));
    store.refund("api", RateLimiterStore.Limit.of("api", 10, ofSeconds(100), 1), 1);
    assertThat(limiter.decide(1).retryAfter()).isEqualTo(ofSeconds(10));
  }

  @Test
  void aFlushedScriptCacheIsReloadedTransparently() {
    RedisRateLimiterStore store = store().build();
    List<RedisStoreEvent> events = new CopyOnWriteArrayList<>();
    store.subscribe(events::add);
    RateLimiter limiter =
        RateLimiter.builder("api").rate(10, ofSeconds(100)).burst(3).store(store).build();
    assertThat(limiter.tryAcquire()).isTrue();
    connection.sync().scriptFlush();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    assertThat(events).filteredOn(e -> e instanceof RedisStoreEvent.ScriptLoaded).isNotEmpty();
    assertThat(store.degradedDecisions()).isZero();
  }

  @Test
  void aFailureModeIsRequiredAndBadSettingsAreRefused() {
    assertThatThrownBy(() -> RedisRateLimiterStore.builder("s", connection).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("onRedisFailure is required: set it with .onRedisFailure(FailureMode)");
    assertThatThrownBy(
            () ->
                RedisRateLimiterStore.builder("s", connection)
                    .onRedisFailure(FailureMode.failOpen())
                    .timeout(Duration.ZERO)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive, was 0s");
    assertThatThrownBy(() -> FailureMode.localLimit(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expectedInstances must be at least 1, was 0");
    assertThatThrownBy(
            () ->
                RedisRateLimiterStore.builder("s", (StatefulRedisConnection<String, String>) null)
                    .onRedisFailure(FailureMode.failOpen())
                    .build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("connection");
    assertThatThrownBy(
            () ->
                RedisRateLimiterStore.builder(" ", connection)
                    .onRedisFailure(FailureMode.failOpen())
                    .circuitBreaker(CircuitBreaker.builder("b").build())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank, was ' '");
  }
}
