package dev.bulwark.resilience.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The success path of {@link Bulkhead#call} and {@link AdaptiveBulkhead#call} (a free permit,
 * nobody queued, nobody listening) allocates nothing: checked with the JVM's per-thread allocation
 * counter, not with timing. JMH with {@code -prof gc} in the benchmarks module gives the precise
 * figure.
 */
class BulkheadAllocationTest {

  @Test
  void theSuccessPathAllocatesNothing() throws Exception {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
    threads.setThreadAllocatedMemoryEnabled(true);
    Bulkhead bulkhead = Bulkhead.builder("alloc").maxConcurrentCalls(4).build();
    long threadId = Thread.currentThread().threadId();
    for (int i = 0; i < 200_000; i++) { // warm up: class loading, JIT
      bulkhead.call(BulkheadAllocationTest::work);
    }
    long before = threads.getThreadAllocatedBytes(threadId);
    long sum = 0;
    for (int i = 0; i < 100_000; i++) {
      sum += bulkhead.call(BulkheadAllocationTest::work);
    }
    long allocated = threads.getThreadAllocatedBytes(threadId) - before;
    assertThat(sum).isEqualTo(700_000);
    // one allocation per call would be at least 1.6 MB; allow less than a byte per call for
    // what the JVM itself allocates on this thread now and then (deoptimisation, safepoints)
    assertThat(allocated).isLessThan(100_000);
  }

  @Test
  void theAdaptiveBulkheadsSuccessPathWithItsDefaultAlgorithmAllocatesNothing() throws Exception {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
    threads.setThreadAllocatedMemoryEnabled(true);
    // the default capacity algorithm, its windows, updates and probes all on the path; a probe
    // interval short enough that probes run during the measurement too
    AdaptiveBulkhead bulkhead =
        AdaptiveBulkhead.builder("alloc")
            .algorithm(LimitAlgorithm.capacity().probeInterval(Duration.ofMillis(1)).build())
            .build();
    assertThat(AdaptiveBulkhead.builder("default").build().config().algorithm().toString())
        .startsWith("capacity(");
    long threadId = Thread.currentThread().threadId();
    for (int i = 0; i < 200_000; i++) {
      bulkhead.call(BulkheadAllocationTest::work);
    }
    long before = threads.getThreadAllocatedBytes(threadId);
    long sum = 0;
    for (int i = 0; i < 100_000; i++) {
      sum += bulkhead.call(BulkheadAllocationTest::work);
    }
    long allocated = threads.getThreadAllocatedBytes(threadId) - before;
    assertThat(sum).isEqualTo(700_000);
    assertThat(allocated).isLessThan(100_000);
  }

  private static int work() {
    return 7;
  }
}
