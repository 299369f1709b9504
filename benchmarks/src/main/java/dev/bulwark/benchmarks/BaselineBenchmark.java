package dev.bulwark.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The floor: the bare call, and one clock read, the unit of unavoidable cost. */
@State(Scope.Benchmark)
public class BaselineBenchmark {

  @Benchmark
  public Integer baseline_call() {
    return Work.SUPPLIER.get();
  }

  @Benchmark
  public long baseline_nanoTime() {
    return System.nanoTime();
  }
}
