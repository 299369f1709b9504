package dev.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.bulkhead.BulkheadFullException;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.retry.Retry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A pipeline of Bulwark's own policies runs each level inside the one around it without a lambda
 * per level; these tests check that it still behaves as the nesting of the policies would, mixed
 * with policies of other kinds, and that it allocates nothing.
 */
class PipelineChainTest {

  private final ManualTimeSource time = new ManualTimeSource();
  private final List<String> trace = new ArrayList<>();

  /** A policy of another kind, which goes through the lambda path. */
  private final class Recording implements Policy {
    private final String name;

    Recording(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public <T, X extends Exception> T call(Call<T, X> call) throws X {
      trace.add("enter " + name);
      try {
        return call.call();
      } finally {
        trace.add("leave " + name);
      }
    }
  }

  private Retry retry(int attempts) {
    return Retry.builder("retry")
        .maxAttempts(attempts)
        .backoff(dev.bulwark.resilience.backoff.Backoff.fixed(Duration.ofMillis(10)).build())
        .timeSource(time)
        .build();
  }

  @Test
  void bulwarkAndOtherPoliciesNestInTheOrderListed() throws Exception {
    Bulkhead bulkhead = Bulkhead.builder("bulkhead").maxConcurrentCalls(1).build();
    Pipeline pipeline =
        Pipeline.of(new Recording("a"), retry(3), new Recording("b"), bulkhead, new Recording("c"));

    String result =
        pipeline.call(
            () -> {
              trace.add("call, free permits " + bulkhead.availablePermits());
              return "done";
            });

    assertThat(result).isEqualTo("done");
    assertThat(trace)
        .containsExactly(
            "enter a",
            "enter b",
            "enter c",
            "call, free permits 0",
            "leave c",
            "leave b",
            "leave a");
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
  }

  /** Each of the first six levels is of its own class, and the rest share one: all must nest. */
  @Test
  void aPipelineDeeperThanItsPerPositionLevelsNestsEveryLevelInOrder() throws Exception {
    List<Policy> policies = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    Bulkhead bulkhead = Bulkhead.builder("bulkhead").maxConcurrentCalls(1).build();
    for (int i = 0; i < 9; i++) {
      policies.add(new Recording("p" + i));
      policies.add(i % 3 == 0 ? retry(2) : i % 3 == 1 ? bulkhead : retry(1)); // one instance twice
      expected.add("enter p" + i);
    }
    expected.add("call");
    for (int i = 8; i >= 0; i--) {
      expected.add("leave p" + i);
    }
    Pipeline pipeline = Pipeline.of(policies.toArray(Policy[]::new));

    assertThat(pipeline.policies()).hasSize(18);
    assertThatThrownBy(
            () ->
                pipeline.call(
                    () -> {
                      trace.add("call");
                      return "never: the bulkhead's one permit is held by the outer level";
                    }))
        .isInstanceOf(BulkheadFullException.class);
    trace.clear();

    Pipeline once =
        Pipeline.of(policies.stream().filter(p -> p != bulkhead).toArray(Policy[]::new));
    assertThat(
            once.call(
                () -> {
                  trace.add("call");
                  return "done";
                }))
        .isEqualTo("done");
    assertThat(trace).containsExactlyElementsOf(expected);
  }

  @Test
  void anOuterRetryRunsTheInnerLevelsAgainOnEachAttempt() throws Exception {
    Bulkhead bulkhead = Bulkhead.builder("bulkhead").maxConcurrentCalls(1).build();
    Pipeline pipeline = Pipeline.of(retry(3), new Recording("inner"), bulkhead);
    IOException failure = new IOException("down");
    int[] calls = {0};

    assertThatThrownBy(
            () ->
                pipeline.call(
                    () -> {
                      calls[0]++;
                      throw failure;
                    }))
        .isSameAs(failure);

    assertThat(calls[0]).isEqualTo(3);
    assertThat(trace).hasSize(6).containsOnly("enter inner", "leave inner");
    assertThat(time.sleeps()).hasSize(2);
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
  }

  @Test
  void anInnerRefusalReachesTheOuterLevelsUnchanged() {
    Bulkhead full = Bulkhead.builder("full").maxConcurrentCalls(1).build();
    Permit held = full.acquirePermit();
    Pipeline pipeline = Pipeline.of(new Recording("outer"), retry(1), full);

    assertThatThrownBy(() -> pipeline.call(() -> "never"))
        .isInstanceOf(BulkheadFullException.class)
        .hasMessageContaining("bulkhead 'full' is full");
    assertThat(trace).containsExactly("enter outer", "leave outer");
    held.close();
  }

  @Test
  void aPipelineOfBulwarkPoliciesAllocatesNothingPerCall() {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
    threads.setThreadAllocatedMemoryEnabled(true);
    Pipeline pipeline =
        Pipeline.of(
            Retry.builder("retry").build(),
            dev.bulwark.resilience.circuitbreaker.CircuitBreaker.builder("breaker").build(),
            RateLimiter.builder("limiter").rate(1_000_000_000, Duration.ofSeconds(1)).build(),
            Bulkhead.builder("bulkhead").build());
    Call<Integer, RuntimeException> call = () -> 7;
    for (int i = 0; i < 200_000; i++) { // warm up: class loading, JIT
      pipeline.call(call);
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    long sum = 0;
    for (int i = 0; i < 100_000; i++) {
      sum += pipeline.call(call);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertThat(sum).isEqualTo(700_000);
    // one lambda per level per call would be at least 4.8 MB; allow less than a byte per call
    // for what the JVM itself allocates on this thread now and then
    assertThat(allocated).isLessThan(100_000);
  }
}
