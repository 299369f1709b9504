package dev.bulwark.ratelimit.redis;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.ratelimit.RateLimitedException;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimiterEvent;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import org.junit.jupiter.api.Test;

/**
 * 400 virtual threads on one key for 5 s, each asking for a permit with a 20 ms max wait: no caller
 * waits longer than that, no Redis call times out (no decision falls to the failure mode), and the
 * grants stay within burst + rate · t. Prints the p99 of the decision latency.
 */
class HotKeyTest {

  private static final int THREADS = 400;
  private static final long RUN_NANOS = 5_000_000_000L;
  private static final int RATE = 1_000;
  private static final int BURST = 50;

  @Test
  void fourHundredThreadsOnOneKeyStayWithinTheLimitWithoutTimeouts() {
    assertTimeoutPreemptively(
        ofSeconds(120),
        () -> {
          try (RedisServer server = RedisServer.start()) {
            RedisClient client = RedisClient.create(server.uri());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
              run(connection);
            } finally {
              client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
          }
        });
  }

  private static void run(StatefulRedisConnection<String, String> connection)
      throws InterruptedException {
    RedisRateLimiterStore store =
        RedisRateLimiterStore.builder("hot", connection)
            .onRedisFailure(FailureMode.failClosed())
            .timeout(ofSeconds(10)) // generous for a loaded 2-core machine; none may time out
            .build();
    Duration maxWait = ofMillis(20);
    RateLimiter limiter =
        RateLimiter.builder("hot").rate(RATE, ofSeconds(1)).burst(BURST).store(store).build();
    LongAccumulator longestWait = new LongAccumulator(Math::max, 0);
    limiter.subscribe(
        e -> {
          if (e instanceof RateLimiterEvent.Acquired a) {
            longestWait.accumulate(a.waited().toNanos());
          }
        });
    TimeSource clock = TimeSource.system();
    AtomicLong granted = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    long[][] latencies = new long[THREADS][];
    int[] counts = new int[THREADS];
    long start = clock.nanoTime();
    long end = start + RUN_NANOS;
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int me = t;
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    long[] mine = new long[1 << 12];
                    int n = 0;
                    latencies[me] = mine;
                    while (clock.nanoTime() - end < 0) {
                      long t0 = clock.nanoTime();
                      try {
                        limiter.acquire(1, maxWait);
                        granted.incrementAndGet();
                      } catch (RateLimitedException e) {
                        refused.incrementAndGet();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                      }
                      if (n == mine.length) {
                        mine = Arrays.copyOf(mine, n * 2);
                      }
                      mine[n++] = clock.nanoTime() - t0;
                      latencies[me] = mine;
                      counts[me] = n;
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    long elapsed = clock.nanoTime() - start;
    long total = Arrays.stream(counts).asLongStream().sum();
    long[] all = new long[(int) total];
    int k = 0;
    for (int t = 0; t < THREADS; t++) {
      System.arraycopy(latencies[t], 0, all, k, counts[t]);
      k += counts[t];
    }
    Arrays.sort(all);
    long p50 = all[(int) (total * 0.50)];
    long p99 = all[(int) (total * 0.99)];
    System.out.printf(
        "hot key: %d threads, %.1f s, %d decisions (%d granted, %d refused), latency incl. waits"
            + " p50 %.2f ms p99 %.2f ms max %.2f ms, longest granted wait %.2f ms%n",
        THREADS,
        elapsed / 1e9,
        total,
        granted.get(),
        refused.get(),
        p50 / 1e6,
        p99 / 1e6,
        all[all.length - 1] / 1e6,
        longestWait.get() / 1e6);
    assertThat(store.degradedDecisions()).as("decisions without Redis").isZero();
    assertThat(longestWait.get()).isLessThanOrEqualTo(maxWait.toNanos());
    // grants start at the first decision and end by the last wait: within start..end + maxWait
    double bound = BURST + RATE * ((elapsed + maxWait.toNanos()) / 1e9);
    assertThat((double) granted.get()).isLessThanOrEqualTo(bound);
    assertThat(granted.get() + refused.get()).isEqualTo(total);
  }
}
