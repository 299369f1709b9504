package dev.bulwark.resilience.hedge;

import dev.bulwark.resilience.ManualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;

/**
 * Explores the interleavings of a hedge's winner racing the cancellation of its losers with
 * Lincheck's model checker, which schedules every thread (the caller and each attempt) itself and
 * tries a different order of their lock, park and interrupt steps in each invocation.
 *
 * <p>Three attempts start at once (delay zero): whichever calls first blocks on a gate, the other
 * two return at once and race to win. The call must return exactly one result, that of an attempt
 * that returned, and by the time it returns the blocked loser must have been interrupted: the test
 * opens the gate only after the call returned, so a loser that was not interrupted gets through it
 * and is reported.
 *
 * <p>{@code -Dbulwark.stress.scale=N} multiplies the explored interleavings.
 */
class HedgeInterleavingTest {

  private static final int INVOCATIONS = 30 * Integer.getInteger("bulwark.stress.scale", 1);
  private static final int RETURNED = 1;
  private static final int INTERRUPTED = 2;
  private static final int LEFT_RUNNING = 3;

  @Test
  void returnsExactlyOneWinnersResultAndInterruptsEveryLoser() {
    // bounded by the invocation count; Lincheck fails an invocation that runs past 30 s as hung
    Lincheck.runConcurrentTest(INVOCATIONS, HedgeInterleavingTest::winnerRacesLosers);
  }

  private static void winnerRacesLosers() {
    List<Thread> attempts = new ArrayList<>(); // the factory runs on the calling thread only
    Hedge hedge =
        Hedge.builder("race")
            .delay(Duration.ZERO)
            .maxExtraAttempts(2)
            .timeSource(new ManualTimeSource())
            .threadFactory(
                task -> {
                  Thread t = new Thread(task);
                  attempts.add(t);
                  return t;
                })
            .build();
    AtomicInteger order = new AtomicInteger();
    AtomicIntegerArray ended = new AtomicIntegerArray(3);
    CountDownLatch gate = new CountDownLatch(1);
    int winner =
        hedge.call(
            () -> {
              int mine = order.getAndIncrement();
              if (mine == 0) {
                try {
                  gate.await(); // opened only after the call returned
                  // the gate may open before this thread sees the interrupt: await then returns
                  // with the interrupt still pending, which counts as interrupted too
                  ended.set(mine, Thread.interrupted() ? INTERRUPTED : LEFT_RUNNING);
                  return mine;
                } catch (InterruptedException e) {
                  ended.set(mine, INTERRUPTED);
                  throw new IllegalStateException("attempt interrupted", e);
                }
              }
              ended.set(mine, RETURNED);
              return mine;
            });
    gate.countDown();
    if (Thread.currentThread().isInterrupted()) {
      throw new AssertionError("the hedge leaked its losers' interrupt to the caller");
    }
    for (Thread t : attempts) {
      try {
        t.join();
      } catch (InterruptedException e) {
        throw new AssertionError("interrupted while joining the attempts", e);
      }
    }
    if (winner < 1 || ended.get(winner) != RETURNED) {
      throw new AssertionError("the result " + winner + " is not one an attempt returned");
    }
    if (ended.get(0) != INTERRUPTED) {
      throw new AssertionError("the blocked loser ended " + ended.get(0) + ", not interrupted");
    }
  }
}
