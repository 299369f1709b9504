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

/**
 * The floor: the bare call; one clock read, the unit of unavoidable cost; and one atomic update of
 * a shared counter, the least an exact shared count (a count window, a bulkhead's permits) pays per
 * call, and the ceiling of any such structure at 2 threads, where every update moves the cache line
 * between cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BaselineBenchmark {

  private final java.util.concurrent.atomic.AtomicLong shared =
      new java.util.concurrent.atomic.AtomicLong();

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

  /** One atomic increment of a counter that every benchmark thread shares. */
  @Benchmark
  public long baseline_sharedIncrement() {
    return shared.incrementAndGet();
  }
}
