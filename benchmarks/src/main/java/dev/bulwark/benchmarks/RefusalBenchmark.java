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
 * The refusal paths, which run when a dependency is down and load is highest: an open breaker, a
 * full bulkhead and an exhausted rate limiter, each refusing a call that is then caught.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RefusalBenchmark {

  private dev.bulwark.resilience.circuitbreaker.CircuitBreaker bulwarkOpenBreaker;
  private dev.bulwark.resilience.circuitbreaker.CircuitBreaker bulwarkForcedOpenBreaker;
  private dev.bulwark.resilience.bulkhead.Bulkhead bulwarkBulkhead;
  private dev.bulwark.resilience.ratelimit.RateLimiter bulwarkLimiter;
  private Supplier<Integer> r4jOpenBreaker;
  private Supplier<Integer> r4jForcedOpenBreaker;
  private Supplier<Integer> r4jBulkhead;
  private Supplier<Integer> r4jLimiter;

  @Setup
  public void setUp() {
    // Opened by 100 failures out of 100 calls, then OPEN for its default 60 s.
    bulwarkOpenBreaker =
        dev.bulwark.resilience.circuitbreaker.CircuitBreaker.builder("breaker").build();
    for (int i = 0; i < 100; i++) {
      try {
        bulwarkOpenBreaker.call(
            () -> {
              throw new IllegalStateException("down");
            });
      } catch (IllegalStateException expected) {
        // recorded
      }
    }
    if (bulwarkOpenBreaker.state()
        != dev.bulwark.resilience.circuitbreaker.CircuitBreaker.State.OPEN) {
      throw new IllegalStateException("the breaker did not open: " + bulwarkOpenBreaker);
    }
    bulwarkForcedOpenBreaker =
        dev.bulwark.resilience.circuitbreaker.CircuitBreaker.builder("forced").build();
    bulwarkForcedOpenBreaker.forceOpen();
    bulwarkBulkhead =
        dev.bulwark.resilience.bulkhead.Bulkhead.builder("bulkhead").maxConcurrentCalls(1).build();
    bulwarkBulkhead.acquirePermit(); // held for the whole run: the bulkhead stays full
    bulwarkLimiter =
        dev.bulwark.resilience.ratelimit.RateLimiter.builder("limiter")
            .rate(1, Duration.ofHours(1))
            .build();
    bulwarkLimiter.tryAcquire(); // the only permit of the hour

    var open = io.github.resilience4j.circuitbreaker.CircuitBreaker.ofDefaults("breaker");
    open.transitionToOpenState(); // for its default 60 s
    r4jOpenBreaker =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(open, Work.SUPPLIER);
    var forced = io.github.resilience4j.circuitbreaker.CircuitBreaker.ofDefaults("forced");
    forced.transitionToForcedOpenState();
    r4jForcedOpenBreaker =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
            forced, Work.SUPPLIER);

    var bulkhead =
        io.github.resilience4j.bulkhead.Bulkhead.of(
            "bulkhead",
            io.github.resilience4j.bulkhead.BulkheadConfig.custom()
                .maxConcurrentCalls(1)
                .maxWaitDuration(Duration.ZERO)
                .build());
    bulkhead.acquirePermission(); // held for the whole run: the bulkhead stays full
    r4jBulkhead =
        io.github.resilience4j.bulkhead.Bulkhead.decorateSupplier(bulkhead, Work.SUPPLIER);

    var limiter =
        io.github.resilience4j.ratelimiter.RateLimiter.of(
            "limiter",
            io.github.resilience4j.ratelimiter.RateLimiterConfig.custom()
                .limitForPeriod(1)
                .limitRefreshPeriod(Duration.ofHours(1))
                .timeoutDuration(Duration.ZERO)
                .build());
    limiter.acquirePermission(); // the only permit of the hour
    r4jLimiter =
        io.github.resilience4j.ratelimiter.RateLimiter.decorateSupplier(limiter, Work.SUPPLIER);
  }

  @Benchmark
  public Object bulwark_openBreaker() {
    try {
      return bulwarkOpenBreaker.call(Work.CALL);
    } catch (dev.bulwark.resilience.RejectedException refused) {
      return refused;
    }
  }

  /** A breaker that opened (here: was moved to OPEN) and waits out its open duration. */
  @Benchmark
  public Object resilience4j_openBreaker() {
    try {
      return r4jOpenBreaker.get();
    } catch (io.github.resilience4j.circuitbreaker.CallNotPermittedException refused) {
      return refused;
    }
  }

  @Benchmark
  public Object bulwark_forcedOpenBreaker() {
    try {
      return bulwarkForcedOpenBreaker.call(Work.CALL);
    } catch (dev.bulwark.resilience.RejectedException refused) {
      return refused;
    }
  }

  /** A breaker forced open by an operator. */
  @Benchmark
  public Object resilience4j_forcedOpenBreaker() {
    try {
      return r4jForcedOpenBreaker.get();
    } catch (io.github.resilience4j.circuitbreaker.CallNotPermittedException refused) {
      return refused;
    }
  }

  @Benchmark
  public Object bulwark_fullBulkhead() {
    try {
      return bulwarkBulkhead.call(Work.CALL);
    } catch (dev.bulwark.resilience.RejectedException refused) {
      return refused;
    }
  }

  @Benchmark
  public Object resilience4j_fullBulkhead() {
    try {
      return r4jBulkhead.get();
    } catch (io.github.resilience4j.bulkhead.BulkheadFullException refused) {
      return refused;
    }
  }

  @Benchmark
  public Object bulwark_exhaustedLimiter() {
    try {
      return bulwarkLimiter.call(Work.CALL);
    } catch (dev.bulwark.resilience.RejectedException refused) {
      return refused;
    }
  }

  @Benchmark
  public Object resilience4j_exhaustedLimiter() {
    try {
      return r4jLimiter.get();
    } catch (io.github.resilience4j.ratelimiter.RequestNotPermitted refused) {
      return refused;
    }
  }
}
