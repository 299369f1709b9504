package dev.bulwark.benchmarks;

import dev.bulwark.resilience.circuitbreaker.SlidingWindow;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
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
 * The success path of a closed circuit breaker: count window (100 calls) and time window (60 s);
 * without and with slow-call detection. resilience4j always times calls (its default slow-call
 * duration is 60 s), so its one configuration per window is the peer of both variants; Bulwark
 * times calls only when a slow-call duration is set ({@code ...SlowCalls}: 60 s, as resilience4j).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CircuitBreakerBenchmark {

  private dev.bulwark.resilience.circuitbreaker.CircuitBreaker bulwarkCount;
  private dev.bulwark.resilience.circuitbreaker.CircuitBreaker bulwarkCountSlowCalls;
  private dev.bulwark.resilience.circuitbreaker.CircuitBreaker bulwarkTime;
  private dev.bulwark.resilience.circuitbreaker.CircuitBreaker bulwarkTimeSlowCalls;
  private Supplier<Integer> r4jCount;
  private Supplier<Integer> r4jTime;
  private dev.failsafe.FailsafeExecutor<Integer> failsafeCount;
  private dev.failsafe.FailsafeExecutor<Integer> failsafeTime;

  @Setup
  public void setUp() {
    // Bulwark's defaults are resilience4j's: count window of 100, failure rate 50 %.
    bulwarkCount = dev.bulwark.resilience.circuitbreaker.CircuitBreaker.builder("count").build();
    bulwarkCountSlowCalls =
        dev.bulwark.resilience.circuitbreaker.CircuitBreaker.builder("countSlowCalls")
            .slowCallDuration(Duration.ofSeconds(60))
            .build();
    bulwarkTime =
        dev.bulwark.resilience.circuitbreaker.CircuitBreaker.builder("time")
            .slidingWindow(SlidingWindow.time(Duration.ofSeconds(60)))
            .build();
    bulwarkTimeSlowCalls =
        dev.bulwark.resilience.circuitbreaker.CircuitBreaker.builder("timeSlowCalls")
            .slidingWindow(SlidingWindow.time(Duration.ofSeconds(60)))
            .slowCallDuration(Duration.ofSeconds(60))
            .build();
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
    failsafeCount =
        dev.failsafe.Failsafe.with(
            dev.failsafe.CircuitBreaker.<Integer>builder().withFailureThreshold(50, 100).build());
    failsafeTime =
        dev.failsafe.Failsafe.with(
            dev.failsafe.CircuitBreaker.<Integer>builder()
                .withFailureRateThreshold(50, 100, Duration.ofSeconds(60))
                .build());
  }

  @Benchmark
  public Integer bulwark_count() {
    return bulwarkCount.call(Work.CALL);
  }

  /** resilience4j's default: count window of 100, slow calls timed (60 s threshold). */
  @Benchmark
  public Integer resilience4j_count() {
    return r4jCount.get();
  }

  @Benchmark
  public Integer failsafe_count() {
    return failsafeCount.get(Work.FAILSAFE_SUPPLIER);
  }

  @Benchmark
  public Integer bulwark_countSlowCalls() {
    return bulwarkCountSlowCalls.call(Work.CALL);
  }

  /** resilience4j's default times every call, so it is also the peer of the slow-call variant. */
  @Benchmark
  public Integer resilience4j_countSlowCalls() {
    return r4jCount.get();
  }

  @Benchmark
  public Integer bulwark_time() {
    return bulwarkTime.call(Work.CALL);
  }

  @Benchmark
  public Integer resilience4j_time() {
    return r4jTime.get();
  }

  @Benchmark
  public Integer failsafe_time() {
    return failsafeTime.get(Work.FAILSAFE_SUPPLIER);
  }

  @Benchmark
  public Integer bulwark_timeSlowCalls() {
    return bulwarkTimeSlowCalls.call(Work.CALL);
  }

  /** The same resilience4j breaker as {@code resilience4j_time}: it always times calls. */
  @Benchmark
  public Integer resilience4j_timeSlowCalls() {
    return r4jTime.get();
  }
}
