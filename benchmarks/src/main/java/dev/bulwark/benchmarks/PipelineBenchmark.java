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
 * Retry, circuit breaker, rate limiter and bulkhead around one call, retry outermost: resilience4j
 * {@code Decorators}, Failsafe {@code with(...)} and a Bulwark {@code Pipeline}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3) // 2-thread runs of a shared word vary from fork to fork on 2 vCPUs; decide on three
public class PipelineBenchmark {

  private dev.bulwark.resilience.Pipeline bulwark;
  private Supplier<Integer> r4j;
  private dev.failsafe.FailsafeExecutor<Integer> failsafe;

  @Setup
  public void setUp() {
    // Each policy with resilience4j's defaults; the limiter's limit is never reached.
    bulwark =
        dev.bulwark.resilience.Pipeline.of(
            dev.bulwark.resilience.retry.Retry.builder("retry").build(),
            dev.bulwark.resilience.circuitbreaker.CircuitBreaker.builder("breaker").build(),
            dev.bulwark.resilience.ratelimit.RateLimiter.builder("limiter")
                .rate(1_000_000_000, Duration.ofSeconds(1))
                .build(),
            dev.bulwark.resilience.bulkhead.Bulkhead.builder("bulkhead").build());
    // Decorators apply each with...() around what came before: the last is outermost.
    r4j =
        io.github.resilience4j.decorators.Decorators.ofSupplier(Work.SUPPLIER)
            .withBulkhead(io.github.resilience4j.bulkhead.Bulkhead.ofDefaults("bulkhead"))
            .withRateLimiter(
                io.github.resilience4j.ratelimiter.RateLimiter.of(
                    "limiter",
                    io.github.resilience4j.ratelimiter.RateLimiterConfig.custom()
                        .limitForPeriod(Integer.MAX_VALUE)
                        .limitRefreshPeriod(Duration.ofSeconds(1))
                        .timeoutDuration(Duration.ZERO)
                        .build()))
            .withCircuitBreaker(
                io.github.resilience4j.circuitbreaker.CircuitBreaker.ofDefaults("breaker"))
            .withRetry(io.github.resilience4j.retry.Retry.ofDefaults("retry"))
            .decorate();
    failsafe =
        dev.failsafe.Failsafe.with(
            dev.failsafe.RetryPolicy.<Integer>ofDefaults(),
            dev.failsafe.CircuitBreaker.<Integer>builder().withFailureThreshold(50, 100).build(),
            dev.failsafe.RateLimiter.<Integer>smoothBuilder(1_000_000_000L, Duration.ofSeconds(1))
                .build(),
            dev.failsafe.Bulkhead.<Integer>of(25));
  }

  @Benchmark
  public Integer bulwark() {
    return bulwark.call(Work.CALL);
  }

  @Benchmark
  public Integer resilience4j() {
    return r4j.get();
  }

  @Benchmark
  public Integer failsafe() {
    return failsafe.get(Work.FAILSAFE_SUPPLIER);
  }
}
