package dev.bulwark.resilience.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker.State;
import java.io.Serial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real threads against one breaker: HALF_OPEN admits exactly its trial calls, every transition
 * happens exactly once, and the counts add up. Bounded by rounds and a preemptive timeout; each
 * round joins every thread it started. {@code -Dbulwark.stress.scale=10} runs ten times as many
 * rounds.
 */
class CircuitBreakerStressTest {

  private static final int SCALE = Integer.getInteger("bulwark.stress.scale", 1);

  static final class Boom extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    Boom() {
      super(null, null, false, false);
    }
  }

  static Stream<Arguments> threads() {
    return Stream.of(
        Arguments.of("2 platform threads", 2, false, 40 * SCALE),
        Arguments.of("8 platform threads", 8, false, 40 * SCALE),
        Arguments.of("1,000 virtual threads", 1_000, true, 4 * SCALE));
  }

  /** Starts {@code count} threads that wait for one signal, runs them, and joins them all. */
  private static void together(int count, boolean virtual, Runnable work)
      throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> started = new ArrayList<>(count);
    Thread.Builder builder = virtual ? Thread.ofVirtual() : Thread.ofPlatform();
    for (int i = 0; i < count; i++) {
      started.add(
          builder.start(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                work.run();
              }));
    }
    start.countDown();
    for (Thread thread : started) {
      thread.join();
    }
    assertThat(started).noneMatch(Thread::isAlive);
  }

  private static List<String> transitionsOf(CircuitBreaker breaker, List<String> into) {
    breaker.subscribe(
        e -> {
          if (e instanceof CircuitBreakerEvent.StateTransition t) {
            into.add(t.from() + "->" + t.to());
          }
        });
    return into;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("threads")
  void halfOpenAdmitsExactlyThePermittedCallsAndEachTransitionHappensOnce(
      String name, int threads, boolean virtual, int rounds) {
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          for (int round = 0; round < rounds; round++) {
            int permitted = 1 + round % 7;
            ManualTimeSource time = new ManualTimeSource();
            CircuitBreaker breaker =
                CircuitBreaker.builder("stress")
                    .slidingWindow(SlidingWindow.count(threads))
                    .minimumCalls(threads)
                    .failureRateThreshold(100)
                    .permittedCallsInHalfOpen(permitted)
                    .openDuration(Duration.ofSeconds(1))
                    .timeSource(time)
                    .build();
            List<String> transitions =
                transitionsOf(breaker, java.util.Collections.synchronizedList(new ArrayList<>()));

            // every thread fails once: exactly the last of them trips the breaker, exactly once
            together(
                threads,
                virtual,
                () -> {
                  try {
                    breaker.run(
                        () -> {
                          throw new Boom();
                        });
                  } catch (Boom expected) {
                    // recorded
                  }
                });
            assertThat(breaker.state()).isEqualTo(State.OPEN);
            assertThat(breaker.metrics().bufferedCalls()).isEqualTo(threads);
            assertThat(breaker.metrics().failedCalls()).isEqualTo(threads);
            assertThat(transitions).containsExactly("CLOSED->OPEN");

            // all threads ask at once, several times each: exactly `permitted` are admitted
            time.advance(Duration.ofSeconds(2));
            ConcurrentLinkedQueue<Permit> permits = new ConcurrentLinkedQueue<>();
            AtomicInteger refused = new AtomicInteger();
            int attempts = virtual ? 1 : 50;
            together(
                threads,
                virtual,
                () -> {
                  for (int i = 0; i < attempts; i++) {
                    Optional<Permit> permit = breaker.tryAcquirePermit();
                    permit.ifPresentOrElse(permits::add, refused::incrementAndGet);
                  }
                });
            assertThat(permits).hasSize(permitted);
            assertThat(refused).hasValue(threads * attempts - permitted);
            assertThat(breaker.metrics().notPermittedCalls()).isEqualTo(refused.get());
            assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN");

            // the trial calls succeed concurrently: the breaker closes exactly once
            List<Permit> held = new ArrayList<>(permits);
            AtomicInteger next = new AtomicInteger();
            together(
                Math.min(permitted, 8),
                virtual,
                () -> {
                  for (int i; (i = next.getAndIncrement()) < held.size(); ) {
                    held.get(i).onSuccess();
                  }
                });
            assertThat(breaker.state()).isEqualTo(State.CLOSED);
            assertThat(transitions)
                .containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
          }
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("threads")
  void contendedRecordsAddUpAndNeverTripBelowTheThreshold(
      String name, int threads, boolean virtual, int rounds) {
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          int callsPerThread = virtual ? 20 : 2_000;
          for (int round = 0; round < Math.max(1, rounds / 4); round++) {
            int total = threads * callsPerThread;
            CircuitBreaker breaker =
                CircuitBreaker.builder("stress")
                    .slidingWindow(SlidingWindow.count(total))
                    .minimumCalls(1)
                    .failureRateThreshold(100)
                    .timeSource(new ManualTimeSource())
                    .build();
            List<String> transitions = transitionsOf(breaker, new ArrayList<>());
            AtomicInteger failures = new AtomicInteger();
            AtomicInteger ids = new AtomicInteger();
            breaker.call(() -> "first"); // one success: the rate can never reach 100 %
            together(
                threads,
                virtual,
                () -> {
                  int id = ids.getAndIncrement();
                  for (int i = 0; i < callsPerThread; i++) {
                    if ((id + i) % 3 == 0) {
                      breaker.call(() -> "ok");
                    } else {
                      failures.incrementAndGet();
                      try {
                        breaker.run(
                            () -> {
                              throw new Boom();
                            });
                      } catch (Boom expected) {
                        // recorded
                      }
                    }
                  }
                });

            CircuitBreaker.Metrics metrics = breaker.metrics();
            assertThat(metrics.state()).isEqualTo(State.CLOSED);
            assertThat(metrics.bufferedCalls()).isEqualTo(total); // the first call was evicted
            assertThat(metrics.failedCalls()).isEqualTo(failures.get());
            assertThat(transitions).isEmpty();
          }
        });
  }
}
