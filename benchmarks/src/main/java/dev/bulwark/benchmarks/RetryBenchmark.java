package dev.bulwark.benchmarks;

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

/** A retry whose first attempt succeeds. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RetryBenchmark {

  private dev.bulwark.resilience.retry.Retry bulwark;
  private Supplier<Integer> r4j;
  private dev.failsafe.FailsafeExecutor<Integer> failsafe;

  @Setup
  public void setUp() {
    // Both with resilience4j's defaults: 3 attempts, 500 ms apart, every exception retried.
    bulwark = dev.bulwark.resilience.retry.Retry.builder("retry").build();
    r4j =
        io.github.resilience4j.retry.Retry.decorateSupplier(
            io.github.resilience4j.retry.Retry.ofDefaults("retry"), Work.SUPPLIER);
    failsafe = dev.failsafe.Failsafe.with(dev.failsafe.RetryPolicy.<Integer>ofDefaults());
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
