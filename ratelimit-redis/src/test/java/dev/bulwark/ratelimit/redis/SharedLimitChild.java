package dev.bulwark.ratelimit.redis;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/**
 * One instance of a service in {@link MultiProcessTest}: its own JVM and connection, sharing a
 * limit on Redis with the others. Prints {@code READY}, waits for {@code go} on a Redis list, asks
 * for permits from several virtual threads for the given time, then prints its start and end (epoch
 * microseconds), its grants and, for a keyed limit, the grants per key.
 *
 * <p>Arguments: redis URI, {@code single} or {@code keyed}, permits, period in ms, burst, keys, run
 * time in ms.
 */
public final class SharedLimitChild {

  private SharedLimitChild() {}

  public static void main(String[] args) throws InterruptedException {
    String uri = args[0];
    boolean keyed = args[1].equals("keyed");
    int permits = Integer.parseInt(args[2]);
    Duration period = Duration.ofMillis(Long.parseLong(args[3]));
    int burst = Integer.parseInt(args[4]);
    int keys = Integer.parseInt(args[5]);
    long runNanos = Long.parseLong(args[6]) * 1_000_000L;
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> connection = client.connect();
        StatefulRedisConnection<String, String> control = client.connect()) {
      RedisRateLimiterStore store =
          RedisRateLimiterStore.builder("multi", connection)
              .onRedisFailure(FailureMode.failClosed())
              .timeout(Duration.ofSeconds(5))
              .build();
      AtomicIntegerArray perKey = new AtomicIntegerArray(keys);
      IntPredicate ask;
      if (keyed) {
        KeyedRateLimiter<String> limiter =
            KeyedRateLimiter.builder("multi")
                .rate(permits, period)
                .burst(burst)
                .store(store)
                .build();
        ask = k -> limiter.tryAcquire("k" + k);
      } else {
        RateLimiter limiter =
            RateLimiter.builder("multi").rate(permits, period).burst(burst).store(store).build();
        ask = k -> limiter.tryAcquire();
      }
      System.out.println("READY");
      System.out.flush();
      control.sync().blpop(0, "go");
      TimeSource clock = TimeSource.system();
      Instant startedAt = Instant.now();
      long start = clock.nanoTime();
      AtomicLong granted = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      while (clock.nanoTime() - start < runNanos) {
                        int k = ThreadLocalRandom.current().nextInt(keys);
                        if (ask.test(k)) {
                          granted.incrementAndGet();
                          perKey.incrementAndGet(k);
                        }
                      }
                    }));
      }
      for (Thread t : threads) {
        t.join();
      }
      Instant endedAt = Instant.now();
      StringBuilder out = new StringBuilder();
      out.append("RESULT ")
          .append(micros(startedAt))
          .append(' ')
          .append(micros(endedAt))
          .append(' ')
          .append(granted.get())
          .append(' ')
          .append(store.degradedDecisions())
          .append('\n');
      if (keyed) {
        for (int k = 0; k < keys; k++) {
          if (perKey.get(k) > 0) {
            out.append("KEY ").append(k).append(' ').append(perKey.get(k)).append('\n');
          }
        }
      }
      System.out.print(out);
      System.out.flush();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static long micros(Instant i) {
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
  }
}
