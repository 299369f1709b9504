package dev.bulwark.resilience.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.timeout.Deadline;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FanOutTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private final ManualTimeSource time = new ManualTimeSource();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final ThreadFactory recording =
      task -> {
        Thread t = Thread.ofVirtual().unstarted(task);
        threads.add(t);
        return t;
      };

  @AfterEach
  void leavesNoThreadBehind() throws InterruptedException {
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(5));
      assertThat(t.isAlive()).as("%s ended", t).isFalse();
    }
    assertThat(Thread.interrupted()).isFalse();
  }

  private FanOut.Builder fanOut() {
    return FanOut.builder("quotes")
        .timeout(Duration.ofSeconds(2))
        .timeSource(time)
        .threadFactory(recording);
  }

  /** Runs a fan-out on a thread of its own so that the test thread can move the time. */
  private static final class Caller<T> {
    final AtomicReference<List<Outcome<T>>> outcomes = new AtomicReference<>();
    final AtomicBoolean interruptedAfter = new AtomicBoolean();
    final Thread thread;

    Caller(FanOut fanOut, List<Call<T, Exception>> calls) {
      thread =
          Thread.ofPlatform()
              .start(
                  () -> {
                    outcomes.set(fanOut.call(calls));
                    interruptedAfter.set(Thread.interrupted());
                  });
    }

    List<Outcome<T>> join() throws InterruptedException {
      thread.join();
      return outcomes.get();
    }
  }

  @Test
  void returnsEachOutcomeInInputOrder() {
    FanOut fanOut = fanOut().build();
    IOException down = new IOException("down");
    List<Outcome<String>> outcomes =
        fanOut.map(
            List.of("a", "fail", "c"),
            s -> {
              if (s.equals("fail")) {
                throw down;
              }
              return s.toUpperCase();
            });
    assertThat(outcomes)
        .containsExactly(
            new Outcome.Success<>("A"), new Outcome.Failure<>(down), new Outcome.Success<>("C"));
    assertThat(Outcome.successes(outcomes)).containsExactly("A", "C");
    assertThat(Outcome.failures(outcomes)).containsExactly(down);
    assertThat(Outcome.allSucceeded(outcomes)).isFalse();
    assertThat(fanOut.map(List.of(), s -> s)).isEmpty();
  }

  @Test
  void acceptsAListOfCallsWithTheirOwnCheckedExceptions() {
    FanOut fanOut = fanOut().build();
    List<Call<Integer, IOException>> calls = List.of(() -> 1, () -> 2);
    List<Outcome<Integer>> outcomes = fanOut.call(calls);
    assertThat(Outcome.successes(outcomes)).containsExactly(1, 2);
    assertThat(Outcome.allSucceeded(outcomes)).isTrue();
  }

  @Test
  void runsAtMostMaxConcurrencyCallsAtATime() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          FanOut fanOut = fanOut().maxConcurrency(2).build();
          AtomicInteger active = new AtomicInteger();
          AtomicInteger most = new AtomicInteger();
          Semaphore started = new Semaphore(0);
          Semaphore gate = new Semaphore(0);
          List<Call<Integer, Exception>> calls = new ArrayList<>();
          for (int i = 0; i < 6; i++) {
            int n = i;
            calls.add(
                () -> {
                  most.accumulateAndGet(active.incrementAndGet(), Math::max);
                  started.release();
                  gate.acquire();
                  active.decrementAndGet();
                  return n;
                });
          }
          Caller<Integer> caller = new Caller<>(fanOut, calls);
          started.acquire(2);
          assertThat(active).hasValue(2);
          for (int i = 0; i < 4; i++) {
            gate.release(); // one call ends, so the next may start
            started.acquire();
            assertThat(active.get()).isLessThanOrEqualTo(2);
          }
          gate.release(2);
          assertThat(Outcome.successes(caller.join())).containsExactly(0, 1, 2, 3, 4, 5);
          assertThat(most).hasValue(2);
        });
  }

  @Test
  void interruptsUnfinishedCallsAtTheDeadlineInVirtualTime() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          FanOut fanOut = fanOut().maxConcurrency(2).build();
          List<FanOutEvent> events = new CopyOnWriteArrayList<>();
          fanOut.subscribe(events::add);
          CountDownLatch entered = new CountDownLatch(1);
          CountDownLatch never = new CountDownLatch(1);
          AtomicReference<Duration> seen = new AtomicReference<>();
          List<Call<String, Exception>> calls =
              List.of(
                  () -> "fast",
                  () -> {
                    seen.set(Deadline.current().orElseThrow().remaining());
                    entered.countDown();
                    never.await();
                    return "never";
                  },
                  () -> {
                    throw new IOException("quick failure");
                  },
                  () -> "started when the failure ended");
          Caller<String> caller = new Caller<>(fanOut, calls);
          entered.await();
          while (threads.size() < 4) {
            Thread.yield();
          }
          for (int i : new int[] {0, 2, 3}) {
            threads.get(i).join(); // every call but the blocked one has ended
          }
          time.awaitWaiters(1); // the caller waits for the blocked call or the deadline
          time.advance(Duration.ofMillis(1999));
          assertThat(caller.thread.isAlive()).isTrue();
          time.advance(Duration.ofMillis(1));
          List<Outcome<String>> outcomes = caller.join();
          assertThat(outcomes.get(0)).isEqualTo(new Outcome.Success<>("fast"));
          assertThat(outcomes.get(1)).isEqualTo(new Outcome.NotFinished<>(true));
          assertThat(((Outcome.Failure<String>) outcomes.get(2)).failure())
              .hasMessage("quick failure");
          assertThat(outcomes.get(3))
              .isEqualTo(new Outcome.Success<>("started when the failure ended"));
          assertThat(seen.get()).isEqualTo(Duration.ofSeconds(2));
          assertThat(caller.interruptedAfter).isFalse();
          assertThat(events)
              .containsExactly(
                  new FanOutEvent.DeadlineReached("quotes", 1),
                  new FanOutEvent.Completed("quotes", 2, 1, 1, 0, Duration.ofSeconds(2)));
        });
  }

  @Test
  void callsThatHaveNotStartedByTheDeadlineNeverStart() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          FanOut fanOut = fanOut().maxConcurrency(1).build();
          CountDownLatch entered = new CountDownLatch(1);
          AtomicBoolean ranLate = new AtomicBoolean();
          List<Call<String, Exception>> calls =
              List.of(
                  () -> {
                    entered.countDown();
                    new CountDownLatch(1).await();
                    return "never";
                  },
                  () -> {
                    ranLate.set(true);
                    return "late";
                  });
          Caller<String> caller = new Caller<>(fanOut, calls);
          entered.await();
          time.awaitWaiters(1);
          time.advance(Duration.ofSeconds(2));
          assertThat(caller.join())
              .containsExactly(new Outcome.NotFinished<>(true), new Outcome.NotFinished<>(false));
          assertThat(ranLate).isFalse();
          assertThat(threads).hasSize(1);
        });
  }

  @Test
  void leavesACallThatIgnoresTheInterruptAfterTheGraceAndSaysSo() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          FanOut fanOut = fanOut().cancelGrace(Duration.ofMillis(300)).build();
          List<FanOutEvent> events = new CopyOnWriteArrayList<>();
          fanOut.subscribe(events::add);
          CountDownLatch entered = new CountDownLatch(1);
          CountDownLatch interruptSeen = new CountDownLatch(1);
          AtomicBoolean release = new AtomicBoolean();
          List<Call<String, Exception>> calls =
              List.of(
                  () -> {
                    entered.countDown();
                    while (!Thread.currentThread().isInterrupted()) {
                      Thread.yield();
                    }
                    interruptSeen.countDown();
                    while (!release.get()) {
                      Thread.yield(); // ignores the interrupt
                    }
                    return "ignored";
                  });
          Caller<String> caller = new Caller<>(fanOut, calls);
          entered.await();
          time.awaitWaiters(1);
          time.advance(Duration.ofSeconds(2));
          interruptSeen.await();
          time.awaitWaiters(1); // the caller now waits out the grace
          time.advance(Duration.ofMillis(300));
          assertThat(caller.join()).containsExactly(new Outcome.NotFinished<>(true));
          assertThat(events.get(1))
              .isEqualTo(new FanOutEvent.Completed("quotes", 0, 0, 1, 1, Duration.ofMillis(2300)));
          release.set(true);
        });
  }

  @Test
  void anInterruptedCallerInterruptsTheCallsAndKeepsItsInterruptStatus() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          FanOut fanOut = fanOut().build();
          CountDownLatch entered = new CountDownLatch(2);
          AtomicInteger interrupted = new AtomicInteger();
          Call<String, Exception> blocked =
              () -> {
                entered.countDown();
                try {
                  new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                  interrupted.incrementAndGet();
                  throw e;
                }
                return "never";
              };
          Caller<String> caller = new Caller<>(fanOut, List.of(blocked, blocked));
          entered.await();
          time.awaitWaiters(1);
          caller.thread.interrupt();
          assertThat(caller.join())
              .containsExactly(new Outcome.NotFinished<>(true), new Outcome.NotFinished<>(true));
          assertThat(caller.interruptedAfter).isTrue();
          for (Thread t : threads) {
            t.join();
          }
          assertThat(interrupted).hasValue(2);
        });
  }

  @Test
  void takesTheEarlierOfItsTimeoutAndTheCurrentDeadline() {
    FanOut fanOut = fanOut().build();
    List<Outcome<Duration>> outcomes =
        Deadline.within(time, Duration.ofMillis(700))
            .callAsCurrent(
                () -> fanOut.map(List.of(1, 2), i -> Deadline.current().orElseThrow().remaining()));
    assertThat(Outcome.successes(outcomes))
        .containsExactly(Duration.ofMillis(700), Duration.ofMillis(700));
  }

  @Test
  void startsNoCallWhenTheInheritedDeadlineHasAlreadyPassed() {
    FanOut fanOut = fanOut().build();
    AtomicInteger ran = new AtomicInteger();
    Deadline passed = Deadline.within(time, Duration.ofMillis(100));
    time.advance(Duration.ofMillis(100));
    List<Outcome<Integer>> outcomes =
        passed.callAsCurrent(() -> fanOut.map(List.of(1, 2), i -> ran.incrementAndGet()));
    assertThat(outcomes)
        .containsExactly(new Outcome.NotFinished<>(false), new Outcome.NotFinished<>(false));
    assertThat(ran).hasValue(0);
    assertThat(threads).isEmpty();
  }

  @Test
  void aCallThatEndsAfterTheDeadlineDoesNotLetTheNextOneStart() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          FanOut fanOut = fanOut().maxConcurrency(1).build();
          AtomicBoolean ranLate = new AtomicBoolean();
          List<Call<String, Exception>> calls =
              List.of(
                  () -> {
                    time.awaitWaiters(1); // the caller waits for the deadline
                    time.advance(Duration.ofSeconds(3)); // the call overruns it, then returns
                    return "late";
                  },
                  () -> {
                    ranLate.set(true);
                    return "never";
                  });
          List<Outcome<String>> outcomes = new Caller<>(fanOut, calls).join();
          assertThat(outcomes.get(1)).isEqualTo(new Outcome.NotFinished<>(false));
          assertThat(ranLate).isFalse();
          assertThat(threads).hasSize(1);
        });
  }

  @Test
  void aThreadFactoryThatFailsMakesTheCallsOutcomeAFailure() {
    IllegalStateException full = new IllegalStateException("no more threads");
    FanOut fanOut =
        FanOut.builder("f")
            .timeout(Duration.ofSeconds(1))
            .timeSource(time)
            .threadFactory(
                task -> {
                  throw full;
                })
            .build();
    assertThat(fanOut.map(List.of(1), i -> i)).containsExactly(new Outcome.Failure<>(full));
  }

  @Test
  void interruptsCallsBlockedOnRealThreadsAtTheDeadlineAndLeavesNoThreadBehind() {
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          FanOut fanOut =
              FanOut.builder("real")
                  .maxConcurrency(50)
                  // real time: long enough for all 100 calls to start on a loaded machine (at
                  // 100 ms, call 90 once had not started by the deadline)
                  .timeout(Duration.ofSeconds(2))
                  .threadFactory(recording)
                  .build();
          int platformBefore = Thread.activeCount();
          CountDownLatch never = new CountDownLatch(1);
          List<Outcome<Integer>> outcomes =
              fanOut.map(
                  java.util.stream.IntStream.range(0, 100).boxed().toList(),
                  i -> {
                    if (i % 2 == 0) {
                      return i;
                    }
                    never.await();
                    return -1;
                  });
          assertThat(outcomes).hasSize(100);
          for (int i = 0; i < 100; i += 2) {
            assertThat(outcomes.get(i)).isEqualTo(new Outcome.Success<>(i));
          }
          for (int i = 1; i < 100; i += 2) {
            assertThat(outcomes.get(i)).isInstanceOf(Outcome.NotFinished.class);
          }
          for (Thread t : threads) {
            t.join();
          }
          assertThat(Thread.activeCount()).isLessThanOrEqualTo(platformBefore);
        });
  }

  @Test
  void rejectsBadConfigurationNamingTheSettingRuleAndValue() {
    assertThatThrownBy(() -> FanOut.builder(null).timeout(Duration.ofSeconds(1)).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    assertThatThrownBy(() -> FanOut.builder("f").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("timeout is required: set it with .timeout(Duration)");
    assertThatThrownBy(() -> FanOut.builder("f").timeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive, was 0s");
    assertThatThrownBy(
            () -> FanOut.builder("f").timeout(Duration.ofSeconds(1)).maxConcurrency(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrency must be at least 1, was 0");
    assertThatThrownBy(
            () ->
                FanOut.builder("f")
                    .timeout(Duration.ofSeconds(1))
                    .cancelGrace(Duration.ofMillis(-1))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cancelGrace must not be negative, was -1ms");
    assertThatThrownBy(
            () -> FanOut.builder("f").timeout(Duration.ofSeconds(1)).cancelGrace(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("cancelGrace");
    assertThatThrownBy(
            () -> FanOut.builder("f").timeout(Duration.ofSeconds(1)).timeSource(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeSource");
    assertThatThrownBy(
            () -> FanOut.builder("f").timeout(Duration.ofSeconds(1)).threadFactory(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("threadFactory");
    FanOut ok = FanOut.builder("f").timeout(Duration.ofSeconds(1)).build();
    assertThat(ok.config())
        .isEqualTo(new FanOut.Config(16, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    assertThatThrownBy(() -> ok.call(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("calls");
    List<Call<Integer, RuntimeException>> withNull = new ArrayList<>();
    withNull.add(() -> 1);
    withNull.add(null);
    assertThatThrownBy(() -> ok.call(withNull))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("calls[1]");
  }

  private static final ThreadLocal<String> TENANT = new ThreadLocal<>();

  @Test
  void carriesTheCallersContextToEveryCallAndRestoresTheThreadsOwnAfterwards() {
    FanOut fanOut = fanOut().contextPropagator(ContextPropagator.threadLocal(TENANT)).build();
    TENANT.set("acme");
    try {
      List<Outcome<String>> outcomes =
          fanOut.map(List.of("a", "b", "c"), s -> s + "@" + TENANT.get());
      assertThat(Outcome.successes(outcomes)).containsExactly("a@acme", "b@acme", "c@acme");
    } finally {
      TENANT.remove();
    }
  }

  @Test
  void carriesNoContextByDefault() {
    FanOut fanOut = fanOut().build();
    TENANT.set("acme");
    try {
      List<Outcome<String>> outcomes = fanOut.map(List.of("a"), s -> s + "@" + TENANT.get());
      assertThat(Outcome.successes(outcomes)).containsExactly("a@null");
    } finally {
      TENANT.remove();
    }
  }

  @Test
  void closesTheRestoredContextOnThePooledThreadThatRanTheCall() throws Exception {
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      pool.submit(() -> TENANT.set("pool's own")).get();
      FanOut fanOut =
          FanOut.builder("pooled")
              .timeout(Duration.ofSeconds(2))
              .timeSource(time)
              .threadFactory(task -> new Thread(() -> pool.execute(task)))
              .contextPropagator(ContextPropagator.threadLocal(TENANT))
              .build();
      TENANT.set("acme");
      List<Outcome<String>> outcomes = fanOut.map(List.of("a"), s -> TENANT.get());
      assertThat(Outcome.successes(outcomes)).containsExactly("acme");
      assertThat(pool.submit(TENANT::get).get()).isEqualTo("pool's own");
    } finally {
      TENANT.remove();
      pool.shutdown();
      assertThat(pool.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
  }
}
