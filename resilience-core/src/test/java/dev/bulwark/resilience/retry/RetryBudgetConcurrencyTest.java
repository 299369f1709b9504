package dev.bulwark.resilience.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.hedge.Hedge;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One budget shared by two retries and a hedge on real threads: together they never take more
 * retries than {@code ratio × requests + floor}, and every token taken is a retry that ran.
 */
class RetryBudgetConcurrencyTest {

  private static final int SCALE = Integer.getInteger("bulwark.stress.scale", 1);

  @Test
  void retriesAndHedgesSharingABudgetStayWithinRatioTimesRequestsPlusTheFloor() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          ManualTimeSource time = new ManualTimeSource(); // never moves: one window throughout
          RetryBudget budget =
              RetryBudget.builder()
                  .ratio(0.1)
                  .minRetriesPerSecond(2)
                  .window(Duration.ofSeconds(10))
                  .timeSource(time)
                  .build(); // floor: 2/s over 10 s = 20 retries
          List<Thread> hedgeThreads = new CopyOnWriteArrayList<>();
          Retry retryA = retry("a", budget, time);
          Retry retryB = retry("b", budget, time);
          Hedge hedge =
              Hedge.builder("h")
                  .delay(Duration.ZERO)
                  .maxExtraAttempts(2)
                  .budget(budget)
                  .timeSource(time)
                  .threadFactory(
                      task -> {
                        Thread t = Thread.ofVirtual().unstarted(task);
                        hedgeThreads.add(t);
                        return t;
                      })
                  .build();
          Policy[] policies = {retryA, retryB, hedge};

          int workers = 6;
          int callsPerWorker = 150 * SCALE;
          AtomicInteger attempts = new AtomicInteger();
          AtomicInteger calls = new AtomicInteger();
          IOException down = new IOException("down");
          CountDownLatch go = new CountDownLatch(1);
          List<Thread> threads = new ArrayList<>();
          for (int w = 0; w < workers; w++) {
            int worker = w;
            threads.add(
                Thread.ofPlatform()
                    .start(
                        () -> {
                          try {
                            go.await();
                          } catch (InterruptedException e) {
                            return;
                          }
                          for (int i = 0; i < callsPerWorker; i++) {
                            Policy policy = policies[(worker + i) % policies.length];
                            calls.incrementAndGet();
                            assertThatThrownBy(
                                    () ->
                                        policy.call(
                                            () -> {
                                              attempts.incrementAndGet();
                                              throw down;
                                            }))
                                .isSameAs(down);
                          }
                        }));
          }
          go.countDown();
          for (Thread t : threads) {
            t.join();
          }
          for (Thread t : hedgeThreads) {
            t.join();
          }

          long requests = calls.get();
          long retries = attempts.get() - requests;
          long bound = (long) Math.floor(0.1 * requests) + 20;
          assertThat(requests).isEqualTo((long) workers * callsPerWorker);
          assertThat(retries).as("retries and hedges taken").isLessThanOrEqualTo(bound);
          // every failing call wants more retries than the budget holds, so it is spent; a token
          // taken without an attempt (or an attempt without a token) would break the balance
          assertThat(retries).isGreaterThanOrEqualTo(bound - 2);
          assertThat(budget.available()).isEqualTo(bound - retries);
          assertThat(threads).noneMatch(Thread::isAlive);
          assertThat(hedgeThreads).noneMatch(Thread::isAlive);
        });
  }

  private static Retry retry(String name, RetryBudget budget, ManualTimeSource time) {
    return Retry.builder(name)
        .maxAttempts(5)
        .backoff(Backoff.fixed(Duration.ZERO).build())
        .budget(budget)
        .timeSource(time)
        .build();
  }
}
