package dev.bulwark.resilience.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.Permit;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Real threads against one bulkhead: the limit holds, and every path out of a call or a wait
 * (result, exception, timeout in the queue, interrupt, permit closed twice) returns its permit.
 * Sized by {@code -Dbulwark.stress.scale} (default 1).
 */
class BulkheadConcurrencyTest {

  private static final int SCALE = Integer.getInteger("bulwark.stress.scale", 1);

  @Test
  void neverExceedsTheLimitAndLeaksNoPermitUnderPlatformAndVirtualThreads() {
    // 26,000 calls through 4 fair permits are mostly hand-offs to a parked thread; on a 2-core
    // machine at load average 60 they did not finish in 30 s. So no waiter gives up for time (one
    // that did would end its worker and show in served), and the bound, there to catch a hang,
    // is generous and says how far the calls got.
    Bulkhead bulkhead =
        Bulkhead.builder("stress").maxConcurrentCalls(4).maxWait(Duration.ofMinutes(10)).build();
    AtomicInteger active = new AtomicInteger();
    AtomicInteger maxActive = new AtomicInteger();
    AtomicLong served = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    int platformIterations = 2_000 * SCALE;
    int virtualIterations = 50 * SCALE;
    long calls = 8L * platformIterations + 200L * virtualIterations;

    assertTimeoutPreemptively(
        Duration.ofMinutes(5),
        () -> {
          for (int i = 0; i < 8; i++) {
            threads.add(
                Thread.ofPlatform()
                    .start(worker(bulkhead, start, platformIterations, active, maxActive, served)));
          }
          for (int i = 0; i < 200; i++) {
            threads.add(
                Thread.ofVirtual()
                    .start(worker(bulkhead, start, virtualIterations, active, maxActive, served)));
          }
          start.countDown();
          for (Thread t : threads) {
            t.join();
          }
        },
        () -> served.get() + " of " + calls + " calls served");

    assertThat(threads).noneMatch(Thread::isAlive);
    assertThat(maxActive.get()).isBetween(1, 4);
    assertThat(served.get()).isEqualTo(calls);
    assertThat(bulkhead.availablePermits()).isEqualTo(4);
    assertThat(bulkhead.queuedCalls()).isZero();
  }

  private static Runnable worker(
      Bulkhead bulkhead,
      CountDownLatch start,
      int iterations,
      AtomicInteger active,
      AtomicInteger maxActive,
      AtomicLong served) {
    return () -> {
      awaitQuietly(start);
      for (int i = 0; i < iterations; i++) {
        boolean fail = i % 7 == 0;
        try {
          bulkhead.run(
              () -> {
                int now = active.incrementAndGet();
                maxActive.accumulateAndGet(now, Math::max);
                active.decrementAndGet();
                served.incrementAndGet();
                if (fail) {
                  throw new IOException("failing call " + now);
                }
              });
        } catch (IOException expected) {
          // the call's own failure; its permit must still come back
        }
      }
    };
  }

  @Test
  void interruptsTimeoutsFailuresAndDoubleClosesLeakNoPermit() {
    Bulkhead bulkhead =
        Bulkhead.builder("chaos").maxConcurrentCalls(2).maxWait(Duration.ofMillis(2)).build();
    AtomicInteger active = new AtomicInteger();
    AtomicInteger maxActive = new AtomicInteger();
    AtomicLong refused = new AtomicLong();
    AtomicReference<Throwable> unexpected = new AtomicReference<>();
    int workers = 8;
    int iterations = 1_500 * SCALE;
    Thread[] threads = new Thread[workers];
    CountDownLatch start = new CountDownLatch(1);

    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          for (int w = 0; w < workers; w++) {
            long seed = w;
            threads[w] =
                Thread.ofPlatform()
                    .uncaughtExceptionHandler((t, e) -> unexpected.compareAndSet(null, e))
                    .start(
                        () -> {
                          awaitQuietly(start);
                          SplittableRandom random = new SplittableRandom(seed);
                          for (int i = 0; i < iterations; i++) {
                            try {
                              chaosStep(bulkhead, random, active, maxActive);
                            } catch (BulkheadFullException e) {
                              refused.incrementAndGet();
                            } catch (java.util.concurrent.CancellationException interrupted) {
                              // interrupted by a peer while it waited for a permit
                            } catch (IllegalStateException expected) {
                              // a failing call
                            }
                            // interrupt a peer, perhaps while it waits in the queue
                            if (random.nextInt(4) == 0) {
                              Thread peer = threads[random.nextInt(workers)];
                              if (peer != null) {
                                peer.interrupt();
                              }
                            }
                            Thread.interrupted(); // a fresh start for the next step
                          }
                        });
          }
          start.countDown();
          for (Thread t : threads) {
            t.join();
          }
        });

    assertThat(threads).noneMatch(Thread::isAlive);
    assertThat(unexpected.get()).isNull();
    assertThat(maxActive.get()).isBetween(1, 2);
    assertThat(refused.get()).isPositive();
    assertThat(bulkhead.availablePermits()).isEqualTo(2);
    assertThat(bulkhead.queuedCalls()).isZero();
  }

  @Test
  void anAdaptiveBulkheadWhoseLimitMovesUnderLoadLeaksNoPermit() {
    AdaptiveBulkhead bulkhead =
        AdaptiveBulkhead.builder("moving")
            .algorithm(LimitAlgorithm.aimd().backoffRatio(0.5).build())
            .minLimit(1)
            .initialLimit(4)
            .maxLimit(8)
            .timeout(Duration.ofNanos(20_000)) // some calls are slow enough to count as drops
            .maxWait(Duration.ofMillis(1))
            .build();
    AtomicInteger limitChanges = new AtomicInteger();
    bulkhead.subscribe(
        e -> {
          if (e instanceof BulkheadEvent.LimitChanged) {
            limitChanges.incrementAndGet();
          }
        });
    int workers = 8;
    int iterations = 2_000 * SCALE;
    List<Thread> threads = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger active = new AtomicInteger();
    AtomicInteger maxActive = new AtomicInteger();

    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          for (int w = 0; w < workers; w++) {
            long seed = 100 + w;
            threads.add(
                Thread.ofPlatform()
                    .start(
                        () -> {
                          awaitQuietly(start);
                          SplittableRandom random = new SplittableRandom(seed);
                          for (int i = 0; i < iterations; i++) {
                            try {
                              bulkhead.run(() -> hold(active, maxActive, random.nextInt(400)));
                            } catch (BulkheadFullException refused) {
                              // expected now and then
                            }
                          }
                        }));
          }
          start.countDown();
          for (Thread t : threads) {
            t.join();
          }
        });

    assertThat(threads).noneMatch(Thread::isAlive);
    assertThat(limitChanges.get()).isPositive();
    assertThat(maxActive.get()).isBetween(1, 8);
    assertThat(bulkhead.inFlight()).isZero();
    assertThat(bulkhead.limit()).isBetween(1, 8);
    assertThat(bulkhead.availablePermits()).isEqualTo(bulkhead.limit());
  }

  private static void chaosStep(
      Bulkhead bulkhead, SplittableRandom random, AtomicInteger active, AtomicInteger maxActive) {
    switch (random.nextInt(4)) {
      case 0 ->
          bulkhead.run(
              () -> {
                hold(active, maxActive, random.nextInt(200));
                if (random.nextBoolean()) {
                  throw new IllegalStateException("failing call");
                }
              });
      case 1 -> {
        Permit permit = bulkhead.acquirePermit();
        try {
          hold(active, maxActive, random.nextInt(200));
          permit.onSuccess();
        } finally {
          permit.close(); // the second return of the same permit must do nothing
        }
      }
      case 2 -> {
        Thread.currentThread().interrupt(); // interrupted before it even asks
        bulkhead.run(() -> hold(active, maxActive, 1));
      }
      default -> {
        // Holding both permits and asking again is refused for certain (here, or already while
        // taking the second), so every run exercises the refusal path whatever the scheduling.
        Permit first = bulkhead.acquirePermit();
        try {
          Permit second = bulkhead.acquirePermit();
          try {
            bulkhead.run(() -> hold(active, maxActive, 1));
            throw new AssertionError("a third call got in while this thread held both permits");
          } finally {
            second.close();
          }
        } finally {
          first.close();
        }
      }
    }
  }

  /** Holds the permit for a little real work, counting how many hold one at once. */
  private static void hold(AtomicInteger active, AtomicInteger maxActive, int spins) {
    int now = active.incrementAndGet();
    maxActive.accumulateAndGet(now, Math::max);
    for (int i = 0; i < spins; i++) {
      Thread.onSpinWait();
    }
    active.decrementAndGet();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
