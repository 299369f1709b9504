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
 *
 * <p>A count window full of fast successes is Bulwark's cheapest case (a record changes nothing and
 * only reads the window), so {@code countMixed} measures the same count breakers, fresh ones, with
 * one call in 100 failing on each thread: far below the 50 % threshold, yet the window almost
 * always holds a failure, so every record takes the general path.
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
  private dev.bulwark.resilience.circuitbreaker.CircuitBreaker bulwarkMixed;
  private Supplier<Integer> r4jMixed;
  private Supplier<Integer> r4jMixedFailing;
  private dev.failsafe.FailsafeExecutor<Integer> failsafeMixed;

  /** Each thread's own count of calls: every 100th call fails. */
  @State(Scope.Thread)
  public static class Mix {
    private int calls;

    /** Returns whether this thread's next call fails: one in every 100. */
    boolean nextFails() {
      if (++calls == 100) {
        calls = 0;
        return true;
      }
      return false;
    }
  }

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
    bulwarkMixed =
        dev.bulwark.resilience.circuitbreaker.CircuitBreaker.builder("countMixed").build();
    io.github.resilience4j.circuitbreaker.CircuitBreaker r4jMixedBreaker =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.of(
            "countMixed", CircuitBreakerConfig.ofDefaults());
    r4jMixed =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
            r4jMixedBreaker, Work.SUPPLIER);
    r4jMixedFailing =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
            r4jMixedBreaker, Work.FAILING_SUPPLIER);
    failsafeMixed =
        dev.failsafe.Failsafe.with(
            dev.failsafe.CircuitBreaker.<Integer>builder().withFailureThreshold(50, 100).build());
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

  /** The count breaker with one call in 100 failing (caught): outside the healthy fast path. */
  @Benchmark
  public Integer bulwark_countMixed(Mix mix) {
    try {
      return bulwarkMixed.call(mix.nextFails() ? Work.FAILING_CALL : Work.CALL);
    } catch (Work.Failure e) {
      return null;
    }
  }

  @Benchmark
  public Integer resilience4j_countMixed(Mix mix) {
    try {
      return mix.nextFails() ? r4jMixedFailing.get() : r4jMixed.get();
    } catch (Work.Failure e) {
      return null;
    }
  }

  @Benchmark
  public Integer failsafe_countMixed(Mix mix) {
    try {
      return failsafeMixed.get(
          mix.nextFails() ? Work.FAILING_FAILSAFE_SUPPLIER : Work.FAILSAFE_SUPPLIER);
    } catch (Work.Failure e) {
      return null;
    }
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
