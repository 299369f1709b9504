package dev.bulwark.resilience.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.Action;
import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.Pipeline;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.Subscription;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BulkheadTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private final ManualTimeSource time = new ManualTimeSource();

  private Bulkhead bulkhead(int max, Duration maxWait) {
    return Bulkhead.builder("db").maxConcurrentCalls(max).maxWait(maxWait).timeSource(time).build();
  }

  @Test
  void defaultsMatchResilience4jSemaphoreBulkhead() {
    Bulkhead bulkhead = Bulkhead.ofDefaults("db");
    assertThat(bulkhead.config()).isEqualTo(new Bulkhead.Config(25, Duration.ZERO));
    assertThat(bulkhead.name()).isEqualTo("db");
    assertThat(bulkhead.availablePermits()).isEqualTo(25);
  }

  @Test
  void refusesAtOnceWhenFullAndMaxWaitIsZero() {
    Bulkhead bulkhead = bulkhead(2, Duration.ZERO);
    Permit a = bulkhead.acquirePermit();
    Permit b = bulkhead.acquirePermit();
    assertThat(bulkhead.availablePermits()).isZero();

    assertThatThrownBy(() -> bulkhead.call(() -> "never"))
        .isInstanceOfSatisfying(
            BulkheadFullException.class,
            e -> {
              assertThat(e.policyName()).isEqualTo("db");
              assertThat(e.limit()).isEqualTo(2);
              assertThat(e.retryAfter()).isEmpty();
              assertThat(e.getStackTrace()).isEmpty();
            })
        .hasMessage(
            "bulkhead 'db' is full (2 concurrent calls); retry later, or raise maxConcurrentCalls"
                + " or set a maxWait to queue for a permit");
    assertThat(time.elapsed()).isZero();
    a.close();
    b.close();
    assertThat(bulkhead.availablePermits()).isEqualTo(2);
  }

  @Test
  void countsPermitsInFlightAndReturnsThemAfterTheCall() throws Exception {
    Bulkhead bulkhead = bulkhead(3, Duration.ZERO);
    int seenInside = bulkhead.call(bulkhead::availablePermits);
    assertThat(seenInside).isEqualTo(2);
    assertThat(bulkhead.availablePermits()).isEqualTo(3);
    bulkhead.run(() -> assertThat(bulkhead.availablePermits()).isEqualTo(2));
    assertThat(bulkhead.availablePermits()).isEqualTo(3);
  }

  @Test
  void returnsThePermitWhenTheCallThrowsACheckedExceptionWhichPassesThroughUnwrapped() {
    Bulkhead bulkhead = bulkhead(1, Duration.ZERO);
    IOException failure = new IOException("disk");
    assertThatThrownBy(
            () ->
                bulkhead.call(
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
  }

  @Test
  void returnsThePermitWhenTheCallThrowsAnError() {
    Bulkhead bulkhead = bulkhead(1, Duration.ZERO);
    assertThatThrownBy(
            () ->
                bulkhead.run(
                    () -> {
                      throw new StackOverflowError("deep");
                    }))
        .isInstanceOf(StackOverflowError.class);
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
  }

  @Test
  void aPermitReturnedTwiceIsReturnedOnce() {
    Bulkhead bulkhead = bulkhead(2, Duration.ZERO);
    Permit first = bulkhead.acquirePermit();
    Permit second = bulkhead.acquirePermit();
    first.onSuccess();
    first.close();
    first.onFailure(new IOException("late"));
    first.close();
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
    second.onFailure(new IOException("x"));
    second.onSuccess();
    assertThat(bulkhead.availablePermits()).isEqualTo(2);
  }

  @Test
  void permitOnFailureRejectsNullAndStillHoldsThePermit() {
    Bulkhead bulkhead = bulkhead(1, Duration.ZERO);
    Permit permit = bulkhead.acquirePermit();
    assertThatThrownBy(() -> permit.onFailure(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("failure");
    assertThat(bulkhead.availablePermits()).isZero();
    permit.close();
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
  }

  @Test
  void worksInsideAPipeline() throws Exception {
    Bulkhead bulkhead = bulkhead(1, Duration.ZERO);
    assertThat(Pipeline.of(bulkhead).call(() -> 42)).isEqualTo(42);
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
  }

  @Test
  void aWaiterGetsThePermitAsSoonAsItIsReturned() {
    Bulkhead bulkhead = bulkhead(1, Duration.ofSeconds(5));
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Permit held = bulkhead.acquirePermit();
          AtomicReference<Object> result = new AtomicReference<>();
          Thread waiter = Thread.ofVirtual().start(() -> result.set(callQuietly(bulkhead)));
          time.awaitWaiters(1);
          assertThat(bulkhead.queuedCalls()).isEqualTo(1);
          time.advance(Duration.ofSeconds(4)); // not yet past maxWait
          held.close();
          waiter.join();
          assertThat(result.get()).isEqualTo("served");
          assertThat(bulkhead.availablePermits()).isEqualTo(1);
          assertThat(bulkhead.queuedCalls()).isZero();
        });
  }

  @Test
  void aWaiterTimesOutWhenTimePassesMaxWaitAndTakesNoPermit() {
    Bulkhead bulkhead = bulkhead(1, Duration.ofMillis(100));
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Permit held = bulkhead.acquirePermit();
          AtomicReference<Object> result = new AtomicReference<>();
          Thread waiter = Thread.ofVirtual().start(() -> result.set(callQuietly(bulkhead)));
          time.awaitWaiters(1);
          time.advance(Duration.ofMillis(99));
          assertThat(waiter.isAlive()).isTrue();
          time.advance(Duration.ofMillis(1));
          waiter.join();
          assertThat(result.get())
              .isInstanceOfSatisfying(
                  BulkheadFullException.class,
                  e ->
                      assertThat(e)
                          .hasMessage(
                              "bulkhead 'db' is full (1 concurrent calls) and no permit came free"
                                  + " within 100ms; retry later, or raise maxConcurrentCalls"));
          assertThat(bulkhead.queuedCalls()).isZero();
          assertThat(bulkhead.availablePermits()).isZero();
          held.close();
          assertThat(bulkhead.availablePermits()).isEqualTo(1);
        });
  }

  @Test
  void anInterruptedWaiterStopsAtOnceKeepsItsInterruptAndTakesNoPermit() {
    Bulkhead bulkhead = bulkhead(1, Duration.ofHours(1));
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Permit held = bulkhead.acquirePermit();
          AtomicReference<Object> result = new AtomicReference<>();
          AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
          Thread waiter =
              Thread.ofVirtual()
                  .start(
                      () -> {
                        result.set(callQuietly(bulkhead));
                        interruptedAfter.set(Thread.currentThread().isInterrupted());
                      });
          time.awaitWaiters(1);
          waiter.interrupt();
          waiter.join();
          // Issue 11 item 8: this was a BulkheadFullException, like a full bulkhead's refusal.
          assertThat(result.get())
              .isInstanceOf(java.util.concurrent.CancellationException.class)
              .isNotInstanceOf(RejectedException.class)
              .extracting(e -> ((Exception) e).getMessage())
              .isEqualTo("bulkhead 'db' stopped waiting for a permit: the thread was interrupted");
          assertThat(((Exception) result.get()).getCause())
              .isInstanceOf(InterruptedException.class);
          assertThat(interruptedAfter.get()).isTrue();
          assertThat(bulkhead.queuedCalls()).isZero();
          held.close();
          assertThat(bulkhead.availablePermits()).isEqualTo(1);
        });
  }

  @Test
  void anInterruptedWaiterDoesNotHoldUpTheWaitersBehindIt() {
    Bulkhead bulkhead = bulkhead(1, Duration.ofHours(1));
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Permit held = bulkhead.acquirePermit();
          Thread first = Thread.ofVirtual().start(() -> callQuietly(bulkhead));
          time.awaitWaiters(1);
          AtomicReference<Object> second = new AtomicReference<>();
          Thread secondThread = Thread.ofVirtual().start(() -> second.set(callQuietly(bulkhead)));
          time.awaitWaiters(2);
          first.interrupt();
          first.join();
          held.close();
          secondThread.join();
          assertThat(second.get()).isEqualTo("served");
          assertThat(bulkhead.availablePermits()).isEqualTo(1);
        });
  }

  @Test
  void waitersAreServedInTheOrderTheyArrived() {
    Bulkhead bulkhead = bulkhead(1, Duration.ofHours(1));
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Permit held = bulkhead.acquirePermit();
          List<Integer> served = new CopyOnWriteArrayList<>();
          List<Thread> threads = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            int id = i;
            threads.add(Thread.ofPlatform().start(() -> bulkhead.run(() -> served.add(id))));
            time.awaitWaiters(i + 1); // thread i is queued before thread i+1 starts
          }
          held.close();
          for (Thread t : threads) {
            t.join();
          }
          assertThat(served).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
          assertThat(bulkhead.availablePermits()).isEqualTo(1);
        });
  }

  @Test
  void aNewcomerDoesNotTakeAPermitReturnedWhileOthersWait() {
    Bulkhead bulkhead = bulkhead(1, Duration.ofHours(1));
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Permit held = bulkhead.acquirePermit();
          CountDownLatch release = new CountDownLatch(1);
          List<String> served = new CopyOnWriteArrayList<>();
          Thread queued =
              Thread.ofVirtual()
                  .start(
                      () ->
                          runQuietly(
                              bulkhead,
                              () -> {
                                served.add("queued");
                                release.await(10, TimeUnit.SECONDS);
                              }));
          time.awaitWaiters(1);
          held.close(); // handed straight to the queued thread: nothing is left for a newcomer
          assertThat(bulkhead.availablePermits()).isZero();
          Thread newcomer =
              Thread.ofVirtual().start(() -> bulkhead.run(() -> served.add("newcomer")));
          awaitQueued(bulkhead, 1); // the newcomer queues behind
          release.countDown();
          queued.join();
          newcomer.join();
          assertThat(served).containsExactly("queued", "newcomer");
        });
  }

  @Test
  void publishesPermittedRejectedAndFinishedEvents() throws Exception {
    Bulkhead bulkhead = bulkhead(1, Duration.ZERO);
    List<BulkheadEvent> events = new ArrayList<>();
    Subscription subscription = bulkhead.subscribe(events::add);
    try {
      bulkhead.call(
          () -> {
            time.advance(Duration.ofMillis(30));
            assertThatThrownBy(() -> bulkhead.call(() -> 1))
                .isInstanceOf(BulkheadFullException.class);
            return 1;
          });
      Permit permit = bulkhead.acquirePermit();
      time.advance(Duration.ofMillis(5));
      permit.close();
      permit.close();
    } finally {
      subscription.close();
    }
    bulkhead.call(() -> 2); // unsubscribed: no more events
    assertThat(events)
        .containsExactly(
            new BulkheadEvent.Permitted("db", 1),
            new BulkheadEvent.Rejected("db", 1),
            new BulkheadEvent.Finished("db", Duration.ofMillis(30)),
            new BulkheadEvent.Permitted("db", 1),
            new BulkheadEvent.Finished("db", Duration.ofMillis(5)));
  }

  @Test
  void aListenerThatThrowsBreaksNeitherTheCallNorThePermitCount() throws Exception {
    Bulkhead bulkhead = bulkhead(1, Duration.ZERO);
    bulkhead.subscribe(
        e -> {
          throw new IllegalStateException("listener bug");
        });
    assertThat(bulkhead.call(() -> "ok")).isEqualTo("ok");
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
  }

  private static void runQuietly(Bulkhead bulkhead, Action<InterruptedException> action) {
    try {
      bulkhead.run(action);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void awaitQueued(Bulkhead bulkhead, int count) {
    while (bulkhead.queuedCalls() < count) {
      Thread.onSpinWait();
    }
  }

  private static Object callQuietly(Bulkhead bulkhead) {
    try {
      return bulkhead.call(() -> "served");
    } catch (RuntimeException e) {
      return e;
    }
  }

  /**
   * The permit comes free while the waiter waits, and its wait then ends by timing out: the waiter
   * was granted the permit, so it must take it, not leave the queue refused and strand the permit
   * (BulkheadLincheckTest does not reach this: its model checker does not switch threads inside the
   * time source's wait). The holder's release runs inside the wait, on the waiter's thread, which
   * holds the gate's lock there as a real wait would on waking.
   */
  @Test
  void aWaiterGrantedAsItsWaitTimesOutTakesThePermitInsteadOfLeakingIt() {
    ReleasingWait wait = new ReleasingWait();
    Bulkhead bulkhead =
        Bulkhead.builder("db")
            .maxConcurrentCalls(1)
            .maxWait(Duration.ofMillis(100))
            .timeSource(wait)
            .build();
    Permit held = bulkhead.acquirePermit();
    wait.duringWait = held::close;
    Permit granted = bulkhead.acquirePermit();
    assertThat(wait.duringWait).as("the holder released during the wait").isNull();
    assertThat(bulkhead.availablePermits()).isZero();
    assertThat(bulkhead.queuedCalls()).isZero();
    granted.close();
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
  }

  /** A wait that runs another caller's step, then reports that its time ran out. */
  private static final class ReleasingWait implements dev.bulwark.resilience.TimeSource {
    Runnable duringWait;

    @Override
    public long nanoTime() {
      return 0L;
    }

    @Override
    public void sleep(Duration duration) {
      throw new UnsupportedOperationException("the bulkhead never sleeps");
    }

    @Override
    public long awaitNanos(
        java.util.concurrent.locks.Lock lock,
        java.util.concurrent.locks.Condition condition,
        long nanos) {
      Runnable step = duringWait;
      duringWait = null;
      if (step != null) {
        step.run();
      }
      return 0L;
    }
  }
}
