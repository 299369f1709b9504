package dev.bulwark.benchmarks;

import java.time.Duration;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A rate limiter with permits available: a limit far above what one machine can call, so every
 * acquisition succeeds. {@code _tryAcquire} takes a permit alone; {@code _call} runs the call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3) // 2-thread runs of a shared word vary from fork to fork on 2 vCPUs; decide on three
public class RateLimiterBenchmark {

  private dev.bulwark.resilience.ratelimit.RateLimiter bulwark;
  private io.github.resilience4j.ratelimiter.RateLimiter r4j;
  private Supplier<Integer> r4jCall;
  private com.google.common.util.concurrent.RateLimiter guava;
  private dev.failsafe.RateLimiter<Integer> failsafe;
  private dev.failsafe.FailsafeExecutor<Integer> failsafeCall;

  @Setup
  public void setUp() {
    // A billion permits a second, as Failsafe's: never exhausted by one machine.
    bulwark =
        dev.bulwark.resilience.ratelimit.RateLimiter.builder("limiter")
            .rate(1_000_000_000, Duration.ofSeconds(1))
            .build();
    r4j =
        io.github.resilience4j.ratelimiter.RateLimiter.of(
            "limiter",
            io.github.resilience4j.ratelimiter.RateLimiterConfig.custom()
                .limitForPeriod(Integer.MAX_VALUE)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build());
    r4jCall = io.github.resilience4j.ratelimiter.RateLimiter.decorateSupplier(r4j, Work.SUPPLIER);
    guava = com.google.common.util.concurrent.RateLimiter.create(1e12);
    failsafe =
        dev.failsafe.RateLimiter.<Integer>smoothBuilder(1_000_000_000L, Duration.ofSeconds(1))
            .build();
    failsafeCall = dev.failsafe.Failsafe.with(failsafe);
  }

  @Benchmark
  public boolean bulwark_tryAcquire() {
    return bulwark.tryAcquire();
  }

  @Benchmark
  public boolean resilience4j_tryAcquire() {
    return r4j.acquirePermission();
  }

  @Benchmark
  public boolean guava_tryAcquire() {
    return guava.tryAcquire();
  }

  @Benchmark
  public boolean failsafe_tryAcquire() {
    return failsafe.tryAcquirePermit();
  }

  @Benchmark
  public Integer bulwark_call() {
    return bulwark.call(Work.CALL);
  }

  @Benchmark
  public Integer resilience4j_call() {
    return r4jCall.get();
  }

  @Benchmark
  public Integer failsafe_call() {
    return failsafeCall.get(Work.FAILSAFE_SUPPLIER);
  }
}
