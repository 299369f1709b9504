package dev.bulwark.samples;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two endpoints that show what virtual threads do and do not change.
 *
 * <ul>
 *   <li>{@code GET /compute/fib?n=}: CPU-bound work, which virtual threads do not make cheaper. It
 *       runs on a small pool of platform threads, one per core, behind a bulkhead of the same size
 *       that refuses at once (503) when all are busy, so the carrier threads that serve every other
 *       request stay free.
 *   <li>{@code GET /concurrent/slow?delay=}: a request that just waits (like a slow database), and
 *       {@code GET /concurrent/stats}: how many wait now and the most ever. Thousands can wait at
 *       once, each on its own virtual thread.
 * </ul>
 */
final class Compute implements AutoCloseable {

  static final int MAX_N = 45;

  private final ExecutorService pool;
  private final Bulkhead bulkhead;
  private final TimeSource time = TimeSource.system();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicLong completed = new AtomicLong();

  Compute(int threads) {
    this.pool =
        Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("compute-", 0).factory());
    this.bulkhead = Bulkhead.builder("compute").maxConcurrentCalls(threads).build();
  }

  Bulkhead bulkhead() {
    return bulkhead;
  }

  void fib(Context ctx) throws Exception {
    int n = Streams.intParam(ctx, "n", 30, 0, MAX_N);
    long value =
        bulkhead.call(
            () -> {
              Future<Long> result = pool.submit(() -> fib(n));
              try {
                return result.get();
              } catch (InterruptedException e) {
                result.cancel(true);
                throw e;
              }
            });
    Service.json(ctx, Map.of("n", n, "fib", value));
  }

  /** Naive on purpose: the point is to burn CPU. Stops early if its thread is interrupted. */
  static long fib(int n) {
    if (n < 2) {
      return n;
    }
    if (n > 25 && Thread.currentThread().isInterrupted()) {
      throw new IllegalStateException("fib cancelled");
    }
    return fib(n - 1) + fib(n - 2);
  }

  void slow(Context ctx) throws InterruptedException {
    int delay = Streams.intParam(ctx, "delay", 1000, 0, 30_000);
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      time.sleep(Duration.ofMillis(delay));
    } finally {
      inFlight.decrementAndGet();
      completed.incrementAndGet();
    }
    Service.json(ctx, Map.of("waitedMs", delay, "thread", Thread.currentThread().toString()));
  }

  Map<String, Object> stats() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("inFlight", inFlight.get());
    m.put("maxInFlight", maxInFlight.get());
    m.put("completed", completed.get());
    m.put("computeBusy", bulkhead.config().maxConcurrentCalls() - bulkhead.availablePermits());
    m.put("computeLimit", bulkhead.config().maxConcurrentCalls());
    return m;
  }

  void statsEndpoint(Context ctx) {
    Service.json(ctx, stats());
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
