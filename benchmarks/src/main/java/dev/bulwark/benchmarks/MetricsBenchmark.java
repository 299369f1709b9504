package dev.bulwark.benchmarks;

import dev.bulwark.metrics.BulwarkMetrics;
import dev.bulwark.metrics.MeterBinding;
import dev.bulwark.resilience.Pipeline;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.retry.Retry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The success path with and without Micrometer meters bound: Bulwark's breaker, bulkhead, rate
 * limiter and a pipeline of the four (retry, breaker, limiter, bulkhead), each unbound ({@code
 * bulwark_<variant>}) and bound ({@code bulwarkBound_<variant>}) to a registry; resilience4j's
 * breaker unbound and bound with its own Micrometer binding ({@code TaggedCircuitBreakerMetrics}).
 * Same defaults as {@link CircuitBreakerBenchmark}. The cost of metrics is the unbound score over
 * the bound one (the report's "÷ bulwarkBound" column).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetricsBenchmark {

  private CircuitBreaker breaker;
  private CircuitBreaker breakerBound;
  private Bulkhead bulkhead;
  private Bulkhead bulkheadBound;
  private RateLimiter limiter;
  private RateLimiter limiterBound;
  private Pipeline pipeline;
  private Pipeline pipelineBound;
  private Supplier<Integer> r4jBreaker;
  private Supplier<Integer> r4jBreakerBound;
  private MeterBinding binding;

  @Setup
  public void setUp() {
    breaker = CircuitBreaker.builder("breaker").build();
    breakerBound = CircuitBreaker.builder("breakerBound").build();
    bulkhead = Bulkhead.builder("bulkhead").maxConcurrentCalls(25).build();
    bulkheadBound = Bulkhead.builder("bulkheadBound").maxConcurrentCalls(25).build();
    limiter = limiter("limiter");
    limiterBound = limiter("limiterBound");
    Retry retry = Retry.builder("retry").build();
    CircuitBreaker pBreaker = CircuitBreaker.builder("pBreaker").build();
    RateLimiter pLimiter = limiter("pLimiter");
    Bulkhead pBulkhead = Bulkhead.builder("pBulkhead").build();
    pipeline =
        Pipeline.of(
            Retry.builder("retry").build(),
            CircuitBreaker.builder("breaker").build(),
            limiter("limiter"),
            Bulkhead.builder("bulkhead").build());
    pipelineBound = Pipeline.of(retry, pBreaker, pLimiter, pBulkhead);
    binding =
        BulwarkMetrics.bind(
            new SimpleMeterRegistry(),
            breakerBound,
            bulkheadBound,
            limiterBound,
            retry,
            pBreaker,
            pLimiter,
            pBulkhead);

    CircuitBreakerRegistry plain = CircuitBreakerRegistry.ofDefaults();
    r4jBreaker = plain.circuitBreaker("breaker").decorateSupplier(Work.SUPPLIER);
    CircuitBreakerRegistry measured = CircuitBreakerRegistry.ofDefaults();
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(measured)
        .bindTo(new SimpleMeterRegistry());
    r4jBreakerBound = measured.circuitBreaker("breakerBound").decorateSupplier(Work.SUPPLIER);
  }

  private static RateLimiter limiter(String name) {
    return RateLimiter.builder(name).rate(1_000_000_000, Duration.ofSeconds(1)).build();
  }

  @TearDown
  public void tearDown() {
    binding.close();
  }

  @Benchmark
  public Integer bulwark_breaker() {
    return breaker.call(Work.CALL);
  }

  @Benchmark
  public Integer bulwarkBound_breaker() {
    return breakerBound.call(Work.CALL);
  }

  @Benchmark
  public Integer resilience4j_breaker() {
    return r4jBreaker.get();
  }

  @Benchmark
  public Integer resilience4jBound_breaker() {
    return r4jBreakerBound.get();
  }

  @Benchmark
  public Integer bulwark_bulkhead() {
    return bulkhead.call(Work.CALL);
  }

  @Benchmark
  public Integer bulwarkBound_bulkhead() {
    return bulkheadBound.call(Work.CALL);
  }

  @Benchmark
  public Integer bulwark_rateLimiter() {
    return limiter.call(Work.CALL);
  }

  @Benchmark
  public Integer bulwarkBound_rateLimiter() {
    return limiterBound.call(Work.CALL);
  }

  @Benchmark
  public Integer bulwark_pipeline() {
    return pipeline.call(Work.CALL);
  }

  @Benchmark
  public Integer bulwarkBound_pipeline() {
    return pipelineBound.call(Work.CALL);
  }
}
