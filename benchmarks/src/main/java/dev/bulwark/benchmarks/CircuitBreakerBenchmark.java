package dev.bulwark.benchmarks;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
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
 * The success path of a closed circuit breaker: count window and time window; without and with
 * slow-call detection (resilience4j always times calls, Bulwark only when a slow-call duration is
 * set).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CircuitBreakerBenchmark {

  private Supplier<Integer> r4jCount;
  private Supplier<Integer> r4jTime;
  private dev.failsafe.FailsafeExecutor<Integer> failsafe;

  @Setup
  public void setUp() {
    r4jCount =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
            io.github.resilience4j.circuitbreaker.CircuitBreaker.of(
                "count", CircuitBreakerConfig.ofDefaults()),
            Work.SUPPLIER);
    r4jTime =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
            io.github.resilience4j.circuitbreaker.CircuitBreaker.of(
                "time",
                CircuitBreakerConfig.custom()
                    .slidingWindowType(SlidingWindowType.TIME_BASED)
                    .slidingWindowSize(60)
                    .build()),
            Work.SUPPLIER);
    failsafe =
        dev.failsafe.Failsafe.with(
            dev.failsafe.CircuitBreaker.<Integer>builder().withFailureThreshold(50, 100).build());
  }

  /** resilience4j's default: count window of 100, slow calls timed (60 s threshold). */
  @Benchmark
  public Integer resilience4j_count() {
    return r4jCount.get();
  }

  /** resilience4j's default times every call, so it is also the peer of the slow-call variant. */
  @Benchmark
  public Integer resilience4j_countSlowCalls() {
    return r4jCount.get();
  }

  @Benchmark
  public Integer resilience4j_time() {
    return r4jTime.get();
  }

  @Benchmark
  public Integer failsafe_count() {
    return failsafe.get(Work.FAILSAFE_SUPPLIER);
  }
}
