package dev.bulwark.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The scale users run on virtual threads: 10,000 virtual threads, each making {@value
 * #CALLS_PER_CALLER} calls of 10 ms (a park) through (a) a bulkhead of 100 ({@code _bulkhead}) and
 * (b) a pipeline of retry, circuit breaker, rate limiter and that bulkhead, retry outermost ({@code
 * _pipeline}), for Bulwark, resilience4j and Failsafe.
 *
 * <p>One operation is one wave of {@link VirtualThreadWave} (single-shot time: the primary score is
 * the wave's duration, ideally {@value #CALLERS} × {@value #CALLS_PER_CALLER} × 10 ms ÷ {@value
 * #CONCURRENCY} = 2 s). The secondary metrics say what the wave means: {@code fractionOfIdeal}, the
 * throughput over Little's law's ideal of {@value #CONCURRENCY} ÷ 10 ms = 10,000 calls/s, and
 * {@code addedP50Millis} / {@code addedP99Millis}, percentiles of each call's latency minus its 10
 * ms of work (mostly the wait for a permit: about 990 ms for every call when the queue is first
 * come, first served).
 *
 * <p>Every bulkhead waits up to 60 s for a permit, so none refuses. The rate limiters allow
 * 1,000,000 calls per second (100 times the ideal, Failsafe's as fixed one-second windows, since a
 * smooth one spaces permits 1 µs apart and refuses callers released together), so they never refuse
 * either; no call fails, so no breaker opens and no retry happens. A wave in which any call fails
 * fails the benchmark.
 *
 * <p>The JMH thread only starts the wave and waits, so JMH's thread count means nothing here: the
 * class must run with one JMH thread ({@code benchmarks/run} leaves it out of its {@code -t 2}
 * pass; setup refuses more threads).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 3, batchSize = 1)
@Fork(1)
@Threads(1)
public class VirtualThreadScaleBenchmark {

  static final int CALLERS = 10_000;
  static final int CALLS_PER_CALLER = 2;
  static final int CONCURRENCY = 100;

  private static final Duration MAX_WAIT = Duration.ofSeconds(60);
  private static final int LIMIT_PER_SECOND = 1_000_000;

  // package-private: the test runs small waves through the same policies
  VirtualThreadWave wave;
  VirtualThreadWave.ProtectedCall bulwarkBulkhead;
  VirtualThreadWave.ProtectedCall bulwarkPipeline;
  VirtualThreadWave.ProtectedCall r4jBulkhead;
  VirtualThreadWave.ProtectedCall r4jPipeline;
  VirtualThreadWave.ProtectedCall failsafeBulkhead;
  VirtualThreadWave.ProtectedCall failsafePipeline;

  /**
   * The wave's outcome as JMH secondary metrics. JMH adds up such counters over the measured
   * iterations, so each iteration reports its share (its value divided by the number of measured
   * iterations): the sum is then the mean over the waves.
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Outcome {
    /** Throughput over the ideal (1.0 = every permit busy the whole wave). */
    public double fractionOfIdeal;

    /** The median of the calls' added latency, in milliseconds. */
    public double addedP50Millis;

    /** The 99th percentile of the calls' added latency, in milliseconds. */
    public double addedP99Millis;

    private int measuredIterations;

    /**
     * Reads how many iterations are measured, and refuses more than one JMH thread.
     *
     * @param params the run's parameters
     * @throws IllegalStateException if JMH runs more than one thread
     */
    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
      if (params.getThreads() != 1) {
        throw new IllegalStateException(
            "VirtualThreadScaleBenchmark starts its own virtual threads; run it with -t 1, was -t "
                + params.getThreads());
      }
      measuredIterations = Math.max(1, params.getMeasurement().getCount());
    }

    void record(VirtualThreadWave.Result result) {
      fractionOfIdeal = result.fractionOfIdeal(CONCURRENCY) / measuredIterations;
      addedP50Millis = result.addedMillis(50) / measuredIterations;
      addedP99Millis = result.addedMillis(99) / measuredIterations;
    }
  }

  /** Builds every implementation's bulkhead and pipeline. */
  @Setup
  public void setUp() {
    wave = new VirtualThreadWave();
    Supplier<Integer> work = wave::work;

    var bulkhead = bulwarkBulkhead();
    bulwarkBulkhead = () -> bulkhead.call(wave::work);
    var pipeline =
        dev.bulwark.resilience.Pipeline.of(
            dev.bulwark.resilience.retry.Retry.builder("retry").build(),
            dev.bulwark.resilience.circuitbreaker.CircuitBreaker.builder("breaker").build(),
            dev.bulwark.resilience.ratelimit.RateLimiter.builder("limiter")
                .rate(LIMIT_PER_SECOND, Duration.ofSeconds(1))
                .build(),
            bulwarkBulkhead());
    bulwarkPipeline = () -> pipeline.call(wave::work);

    Supplier<Integer> r4jBulkheaded =
        io.github.resilience4j.bulkhead.Bulkhead.decorateSupplier(r4jBulkhead(), work);
    r4jBulkhead = r4jBulkheaded::get;
    Supplier<Integer> r4jDecorated =
        io.github.resilience4j.decorators.Decorators.ofSupplier(work)
            .withBulkhead(r4jBulkhead())
            .withRateLimiter(
                io.github.resilience4j.ratelimiter.RateLimiter.of(
                    "limiter",
                    io.github.resilience4j.ratelimiter.RateLimiterConfig.custom()
                        .limitForPeriod(LIMIT_PER_SECOND)
                        .limitRefreshPeriod(Duration.ofSeconds(1))
                        .timeoutDuration(Duration.ZERO)
                        .build()))
            .withCircuitBreaker(
                io.github.resilience4j.circuitbreaker.CircuitBreaker.ofDefaults("breaker"))
            .withRetry(io.github.resilience4j.retry.Retry.ofDefaults("retry"))
            .decorate();
    r4jPipeline = r4jDecorated::get;

    dev.failsafe.function.CheckedSupplier<Integer> failsafeWork = wave::work;
    var failsafeBulkheaded = dev.failsafe.Failsafe.with(failsafeBulkhead());
    failsafeBulkhead = () -> failsafeBulkheaded.get(failsafeWork);
    var failsafeComposed =
        dev.failsafe.Failsafe.with(
            dev.failsafe.RetryPolicy.<Integer>ofDefaults(),
            dev.failsafe.CircuitBreaker.<Integer>builder().withFailureThreshold(50, 100).build(),
            dev.failsafe.RateLimiter.<Integer>burstyBuilder(LIMIT_PER_SECOND, Duration.ofSeconds(1))
                .build(),
            failsafeBulkhead());
    failsafePipeline = () -> failsafeComposed.get(failsafeWork);
  }

  private static dev.bulwark.resilience.bulkhead.Bulkhead bulwarkBulkhead() {
    return dev.bulwark.resilience.bulkhead.Bulkhead.builder("bulkhead")
        .maxConcurrentCalls(CONCURRENCY)
        .maxWait(MAX_WAIT)
        .build();
  }

  private static io.github.resilience4j.bulkhead.Bulkhead r4jBulkhead() {
    return io.github.resilience4j.bulkhead.Bulkhead.of(
        "bulkhead",
        io.github.resilience4j.bulkhead.BulkheadConfig.custom()
            .maxConcurrentCalls(CONCURRENCY)
            .maxWaitDuration(MAX_WAIT)
            .build());
  }

  private static dev.failsafe.Bulkhead<Integer> failsafeBulkhead() {
    return dev.failsafe.Bulkhead.<Integer>builder(CONCURRENCY).withMaxWaitTime(MAX_WAIT).build();
  }

  private int run(VirtualThreadWave.ProtectedCall call, Outcome outcome)
      throws InterruptedException {
    VirtualThreadWave.Result result = wave.run(CALLERS, CALLS_PER_CALLER, call);
    outcome.record(result);
    return result.calls();
  }

  @Benchmark
  public int bulwark_bulkhead(Outcome outcome) throws InterruptedException {
    return run(bulwarkBulkhead, outcome);
  }

  @Benchmark
  public int resilience4j_bulkhead(Outcome outcome) throws InterruptedException {
    return run(r4jBulkhead, outcome);
  }

  @Benchmark
  public int failsafe_bulkhead(Outcome outcome) throws InterruptedException {
    return run(failsafeBulkhead, outcome);
  }

  @Benchmark
  public int bulwark_pipeline(Outcome outcome) throws InterruptedException {
    return run(bulwarkPipeline, outcome);
  }

  @Benchmark
  public int resilience4j_pipeline(Outcome outcome) throws InterruptedException {
    return run(r4jPipeline, outcome);
  }

  @Benchmark
  public int failsafe_pipeline(Outcome outcome) throws InterruptedException {
    return run(failsafePipeline, outcome);
  }
}
