package dev.bulwark.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The floor: the bare call, and one clock read, the unit of unavoidable cost. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BaselineBenchmark {

  /** The trivial call every policy benchmark protects, unprotected. */
  @Benchmark
  public Integer baseline_call() {
    return Work.CALL.call();
  }

  /** One read of the clock, as a policy that times calls or refills permits must make. */
  @Benchmark
  public long baseline_nanoTime() {
    return System.nanoTime();
  }
}
