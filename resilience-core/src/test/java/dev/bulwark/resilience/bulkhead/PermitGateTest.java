package dev.bulwark.resilience.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The gate under both bulkheads: hand-off, no barging, and a moving limit. */
class PermitGateTest {

  private static final Duration BOUND = Duration.ofSeconds(10);
  private final ManualTimeSource time = new ManualTimeSource();

  @Test
  void tryAcquireCountsInFlightUpToTheLimit() {
    PermitGate gate = new PermitGate(2, time);
    assertThat(gate.tryAcquire()).isEqualTo(1);
    assertThat(gate.tryAcquire()).isEqualTo(2);
    assertThat(gate.tryAcquire()).isEqualTo(-1);
    gate.release();
    assertThat(gate.inFlight()).isEqualTo(1);
    assertThat(gate.available()).isEqualTo(1);
  }

  @Test
  void aReleaseWithAThreadQueuedHandsThePermitOverSoNoNewcomerCanBarge() {
    PermitGate gate = new PermitGate(1, time);
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          gate.tryAcquire();
          List<Integer> got = new CopyOnWriteArrayList<>();
          Thread waiter =
              Thread.ofVirtual().start(() -> got.add(acquireQuietly(gate, Long.MAX_VALUE)));
          time.awaitWaiters(1);
          assertThat(gate.tryAcquire()).as("newcomer while one is queued").isEqualTo(-1);
          gate.release();
          assertThat(gate.tryAcquire()).as("newcomer right after the release").isEqualTo(-1);
          waiter.join();
          assertThat(got).containsExactly(1);
          assertThat(gate.inFlight()).isEqualTo(1);
          assertThat(gate.queued()).isZero();
        });
  }

  @Test
  void raisingTheLimitLetsQueuedThreadsInInArrivalOrder() {
    PermitGate gate = new PermitGate(2, time);
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          gate.tryAcquire();
          gate.tryAcquire();
          int[] grantedAt = new int[3];
          List<Thread> threads = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            int id = i;
            threads.add(
                Thread.ofVirtual()
                    .start(() -> grantedAt[id] = acquireQuietly(gate, Long.MAX_VALUE)));
            time.awaitWaiters(i + 1);
          }
          gate.release(3); // one of two back, limit 2 -> 3: room for the first two of the three
          threads.get(0).join();
          threads.get(1).join();
          assertThat(gate.queued()).isEqualTo(1);
          assertThat(gate.inFlight()).isEqualTo(3);
          gate.release();
          threads.get(2).join();
          // the in-flight count each was granted at shows the order of the grants
          assertThat(grantedAt).containsExactly(2, 3, 3);
          assertThat(gate.inFlight()).isEqualTo(3);
          assertThat(gate.queued()).isZero();
        });
  }

  @Test
  void loweringTheLimitLetsCallsInFlightFinishAndHoldsNewOnesBack() {
    PermitGate gate = new PermitGate(3, time);
    gate.tryAcquire();
    gate.tryAcquire();
    gate.tryAcquire();
    gate.release(1);
    assertThat(gate.limit()).isEqualTo(1);
    assertThat(gate.available()).isZero();
    gate.release();
    assertThat(gate.tryAcquire()).isEqualTo(-1);
    gate.release();
    assertThat(gate.tryAcquire()).isEqualTo(1);
  }

  @Test
  void aTimedOutWaiterLeavesTheQueue() {
    PermitGate gate = new PermitGate(1, time);
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          gate.tryAcquire();
          List<Integer> got = new CopyOnWriteArrayList<>();
          Thread waiter = Thread.ofVirtual().start(() -> got.add(acquireQuietly(gate, 1_000)));
          time.awaitWaiters(1);
          time.advance(Duration.ofNanos(1_000));
          waiter.join();
          assertThat(got).containsExactly(-1);
          assertThat(gate.queued()).isZero();
          gate.release();
          assertThat(gate.inFlight()).isZero();
        });
  }

  private static int acquireQuietly(PermitGate gate, long nanos) {
    try {
      return gate.acquire(nanos);
    } catch (InterruptedException e) {
      return -2;
    }
  }
}
