package dev.bulwark.benchmarks;

import java.time.Duration;
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

/** A timeout of one second around a call that finishes at once; interruption on. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TimeoutBenchmark {

  private dev.bulwark.resilience.timeout.Timeout bulwark;
  private dev.failsafe.FailsafeExecutor<Integer> failsafe;

  @Setup
  public void setUp() {
    // On the caller's thread, interrupted by one watchdog thread per Timeout at the deadline.
    bulwark =
        dev.bulwark.resilience.timeout.Timeout.builder("timeout")
            .timeout(Duration.ofSeconds(1))
            .build();
    failsafe =
        dev.failsafe.Failsafe.with(
            dev.failsafe.Timeout.<Integer>builder(Duration.ofSeconds(1)).withInterrupt().build());
  }

  @Benchmark
  public Integer bulwark() {
    return bulwark.call(Work.CALL);
  }

  @Benchmark
  public Integer failsafe() {
    return failsafe.get(Work.FAILSAFE_SUPPLIER);
  }
}
