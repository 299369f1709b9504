package dev.bulwark.benchmarks;

import dev.bulwark.resilience.internal.Backoff;
import dev.bulwark.resilience.internal.PaddedAtomicLong;
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
 * between cores; and the read, clock read and compare-and-set of an exact clock-based decision.
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

  /** Alone on its cache line, as a rate limiter's bucket is. */
  private final PaddedAtomicLong word = new PaddedAtomicLong(0);

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

  /**
   * The least an exact decision on a shared clock-based word pays, as a GCRA bucket's: read the
   * word, then the clock, then compare-and-set the word to a value computed from both, pausing
   * after a lost race before the next attempt. The clock read sits between the read and the
   * compare-and-set, so at 2 threads it widens the window in which the other thread's write lands.
   * The rate limiter's {@code tryAcquire} is this plus its arithmetic.
   */
  @Benchmark
  public long baseline_readClockCas() {
    int spins = 1;
    while (true) {
      long stored = word.get();
      long next = Math.max(stored, System.nanoTime()) + 1;
      if (word.compareAndSet(stored, next)) {
        return next;
      }
      spins = Backoff.pause(spins);
    }
  }
}
