package dev.bulwark.ratelimit.redis;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.circuitbreaker.SlidingWindow;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Redis paused, killed and restarted empty, on a real server of each test's own. The breaker runs
 * on a manual clock, so the test decides when it may probe Redis again; the timeout is real.
 */
class RedisFaultsTest {

  /** A Redis server and a client connected to it, closed in reverse. */
  private record Setup(
      RedisServer server, RedisClient client, StatefulRedisConnection<String, String> connection)
      implements AutoCloseable {

    static Setup start(boolean rejectWhileDisconnected) {
      RedisServer server = RedisServer.start();
      try {
        RedisClient client = RedisClient.create(server.uri());
        if (rejectWhileDisconnected) {
          client.setOptions(
              ClientOptions.builder()
                  .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                  .build());
        }
        return new Setup(server, client, client.connect());
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    }

    @Override
    public void close() {
      try {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      } finally {
        server.close();
      }
    }
  }

  private static CircuitBreaker breaker(ManualTimeSource time) {
    return CircuitBreaker.builder("redis")
        .slidingWindow(SlidingWindow.count(4))
        .minimumCalls(4)
        .openDuration(ofSeconds(10))
        .permittedCallsInHalfOpen(1)
        .timeSource(time)
        .build();
  }

  @Test
  void aPausedRedisCostsAtMostTheTimeoutThenTheBreakerStopsTheCallsUntilItAnswers() {
    assertTimeoutPreemptively(
        ofSeconds(60),
        () -> {
          try (Setup s = Setup.start(false)) {
            ManualTimeSource breakerTime = new ManualTimeSource();
            RedisRateLimiterStore store =
                RedisRateLimiterStore.builder("faults", s.connection())
                    .onRedisFailure(FailureMode.failClosed())
                    .timeout(ofSeconds(1))
                    .circuitBreaker(breaker(breakerTime))
                    .build();
            RateLimiter limiter =
                RateLimiter.builder("api").rate(1000, ofSeconds(1)).store(store).build();
            assertThat(limiter.tryAcquire()).isTrue();
            int[] timedOutCalls = {0};
            s.server().signal("STOP");
            try {
              while (store.circuitBreaker().state() != CircuitBreaker.State.OPEN) {
                assertThat(timedOutCalls[0]).isLessThan(4); // the window of 4 opens by then
                assertTimeoutPreemptively(
                    ofSeconds(10), // 1 s, with room for a loaded machine
                    () ->
                        assertThatThrownBy(limiter::tryAcquire)
                            .isInstanceOf(RedisUnavailableException.class)
                            .hasMessageContaining("no answer within 1s")
                            .hasMessageContaining("fails closed")
                            .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1)));
                timedOutCalls[0]++;
              }
              assertThat(store.circuitBreaker().state()).isEqualTo(CircuitBreaker.State.OPEN);
              // open: refused without touching the network, with the breaker's retry-after
              assertThatThrownBy(limiter::tryAcquire)
                  .isInstanceOf(RedisUnavailableException.class)
                  .hasMessageContaining("circuit breaker is open")
                  .satisfies(
                      e ->
                          assertThat(((RedisUnavailableException) e).retryAfter())
                              .hasValueSatisfying(
                                  d -> assertThat(d).isBetween(ofSeconds(10), ofMillis(10_001))));
            } finally {
              s.server().signal("CONT");
            }
            breakerTime.advance(ofMillis(10_001));
            assertThat(limiter.tryAcquire()).isTrue();
            assertThat(store.circuitBreaker().state()).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(store.degradedDecisions()).isEqualTo(timedOutCalls[0] + 1);
          }
        });
  }

  @Test
  void aKilledRedisFailsOpenCountedAndARestartedEmptyOneIsUsedAgainWithTheScriptReloaded() {
    assertTimeoutPreemptively(
        ofSeconds(90),
        () -> {
          try (Setup s = Setup.start(false)) {
            ManualTimeSource breakerTime = new ManualTimeSource();
            RedisRateLimiterStore store =
                RedisRateLimiterStore.builder("faults", s.connection())
                    .onRedisFailure(FailureMode.failOpen())
                    .timeout(ofSeconds(1))
                    .circuitBreaker(breaker(breakerTime))
                    .build();
            List<RedisStoreEvent> events = new CopyOnWriteArrayList<>();
            store.subscribe(events::add);
            RateLimiter limiter =
                RateLimiter.builder("api").rate(1, ofSeconds(100)).burst(1).store(store).build();
            assertThat(limiter.tryAcquire()).isTrue();
            assertThat(limiter.tryAcquire()).isFalse(); // Redis decides
            long failedOpenBefore = store.failedOpen();
            s.server().kill();
            for (int i = 0; i < 6; i++) {
              assertThat(limiter.tryAcquire()).isTrue(); // fails open
            }
            assertThat(store.failedOpen() - failedOpenBefore).isEqualTo(6);
            assertThat(store.circuitBreaker().state()).isEqualTo(CircuitBreaker.State.OPEN);
            assertThat(store.circuitBreaker().metrics().notPermittedCalls()).isPositive();
            assertThat(events)
                .filteredOn(e -> e instanceof RedisStoreEvent.BreakerTransition)
                .isNotEmpty();
            assertThat(events)
                .filteredOn(e -> e instanceof RedisStoreEvent.Degraded d && d.granted())
                .hasSize((int) store.failedOpen());

            s.server().restart(); // empty: no bucket, no script
            // Until Lettuce has reconnected, probes time out and fail open. A probe that timed out
            // may still reach the new Redis later and take the permit: a timed-out decision can
            // count against the limit, never for it.
            boolean decidedByRedis = false;
            while (!decidedByRedis) {
              breakerTime.advance(ofMillis(10_001));
              long before = store.degradedDecisions();
              limiter.tryAcquire();
              decidedByRedis = store.degradedDecisions() == before;
            }
            long degraded = store.degradedDecisions();
            assertThat(limiter.tryAcquire()).isFalse(); // Redis decides again: burst 1 taken
            assertThat(store.degradedDecisions()).isEqualTo(degraded);
            assertThat(events)
                .filteredOn(e -> e instanceof RedisStoreEvent.ScriptLoaded)
                .isNotEmpty();
          }
        });
  }

  @Test
  void aLocalLimitDecidesAShareOfTheRateWhileRedisIsDown() {
    assertTimeoutPreemptively(
        ofSeconds(60),
        () -> {
          try (Setup s = Setup.start(true)) {
            ManualTimeSource time = new ManualTimeSource();
            RedisRateLimiterStore store =
                RedisRateLimiterStore.builder("faults", s.connection())
                    .onRedisFailure(FailureMode.localLimit(4))
                    .timeSource(time)
                    .build();
            RateLimiter limiter =
                RateLimiter.builder("api")
                    .rate(100, ofSeconds(1))
                    .burst(10)
                    .timeSource(time)
                    .store(store)
                    .build();
            assertThat(limiter.tryAcquire()).isTrue();
            s.server().kill();
            int granted = 0;
            for (int i = 0; i < 10; i++) {
              granted += limiter.tryAcquire() ? 1 : 0;
            }
            assertThat(granted).isEqualTo(3); // ⌈10 / 4⌉
            // 100/s over 4 instances: one permit every 40 ms
            assertThat(limiter.decide(1).retryAfter()).isEqualTo(ofMillis(40));
            time.advance(ofMillis(40));
            assertThat(limiter.tryAcquire()).isTrue();
            assertThat(store.failedOpen()).isZero();
          }
        });
  }
}
