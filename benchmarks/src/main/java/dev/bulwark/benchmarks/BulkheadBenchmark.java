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

/** A bulkhead with permits available (25 concurrent calls, no waiting). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BulkheadBenchmark {

  private dev.bulwark.resilience.bulkhead.Bulkhead bulwark;
  private Supplier<Integer> r4j;
  private dev.failsafe.FailsafeExecutor<Integer> failsafe;

  @Setup
  public void setUp() {
    bulwark =
        dev.bulwark.resilience.bulkhead.Bulkhead.builder("bulkhead").maxConcurrentCalls(25).build();
    r4j =
        io.github.resilience4j.bulkhead.Bulkhead.decorateSupplier(
            io.github.resilience4j.bulkhead.Bulkhead.of(
                "bulkhead",
                io.github.resilience4j.bulkhead.BulkheadConfig.custom()
                    .maxConcurrentCalls(25)
                    .build()),
            Work.SUPPLIER);
    failsafe = dev.failsafe.Failsafe.with(dev.failsafe.Bulkhead.<Integer>of(25));
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
