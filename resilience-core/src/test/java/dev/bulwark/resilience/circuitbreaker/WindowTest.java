package dev.bulwark.resilience.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.circuitbreaker.Window.Counts;
import dev.bulwark.resilience.circuitbreaker.Window.Thresholds;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The windows on their own: against a plain model, and under contention. */
class WindowTest {

  private static final int SCALE = Integer.getInteger("bulwark.stress.scale", 1);

  @Test
  void countWindowAgreesWithAPlainListOfTheLastOutcomes() {
    SplittableRandom random = new SplittableRandom(7);
    for (int run = 0; run < 200; run++) {
      int size = random.nextInt(1, 30);
      Thresholds thresholds =
          new Thresholds(random.nextInt(1, 101), random.nextInt(1, 101), random.nextInt(1, 35));
      CountWindow window = new CountWindow(size, thresholds);
      ArrayDeque<Integer> model = new ArrayDeque<>();
      for (int step = 0; step < 300; step++) {
        int outcome = random.nextInt(4);
        model.addLast(outcome);
        if (model.size() > size) {
          model.removeFirst();
        }
        long failures = model.stream().filter(o -> (o & Window.FAILED) != 0).count();
        long slow = model.stream().filter(o -> (o & Window.SLOW) != 0).count();

        int verdict = window.record(outcome, 0);

        assertThat(window.counts(0)).isEqualTo(new Counts(model.size(), failures, slow));
        assertThat(verdict).isEqualTo(thresholds.judge(model.size(), failures, slow));
      }
    }
  }

  @Test
  void timeWindowAgreesWithAPlainListOfTimedOutcomes() {
    SplittableRandom random = new SplittableRandom(11);
    for (int run = 0; run < 100; run++) {
      int seconds = random.nextInt(1, 8);
      Thresholds thresholds = new Thresholds(50, 100, random.nextInt(1, 10));
      TimeWindow window = new TimeWindow(seconds, thresholds);
      List<long[]> model = new ArrayList<>(); // {second, outcome}
      long now = random.nextLong(0, 1L << 40);
      for (int step = 0; step < 300; step++) {
        now +=
            random.nextInt(10) == 0
                ? random.nextLong(0, 10_000_000_000L)
                : random.nextLong(0, 300_000_000L);
        int outcome = random.nextInt(4);
        long second = Math.floorDiv(now, 1_000_000_000L);
        model.add(new long[] {second, outcome});
        model.removeIf(o -> o[0] <= second - seconds);
        long failures = model.stream().filter(o -> (o[1] & Window.FAILED) != 0).count();
        long slow = model.stream().filter(o -> (o[1] & Window.SLOW) != 0).count();

        int verdict = window.record(outcome, now);

        assertThat(window.counts(now)).isEqualTo(new Counts(model.size(), failures, slow));
        assertThat(verdict).isEqualTo(thresholds.judge(model.size(), failures, slow));
      }
    }
  }

  @Test
  void countWindowTotalsMatchItsSlotsAfterContendedRecordsThatWrapTheRing() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          for (int round = 0; round < 40 * SCALE; round++) {
            int size = 1 + round % 3; // tiny rings: many threads on the same slot
            CountWindow window = new CountWindow(size, new Thresholds(50, 50, 1));
            int threads = round % 2 == 0 ? 4 : 8;
            // alternating outcomes make equal totals recur: the case that caught an ABA bug
            boolean mixed = round % 4 == 3;
            runConcurrently(
                threads, 50_000, (thread, i) -> window.record(mixed ? (thread + i) % 4 : i % 2, 0));

            assertThat(window.counts(0)).isEqualTo(window.recount());
            assertThat(window.counts(0).calls()).isEqualTo(size);
          }
        });
  }

  @Test
  void countWindowCountsEveryContendedRecordExactly() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          int threads = 8;
          int records = Math.min(5_000 * SCALE, CountWindow.MAX_SIZE / threads); // no eviction
          CountWindow window = new CountWindow(threads * records, new Thresholds(100, 100, 1));
          AtomicLong failures = new AtomicLong();
          AtomicLong slow = new AtomicLong();
          runConcurrently(
              threads,
              records,
              (thread, i) -> {
                int outcome = (thread * 31 + i * 17) % 4;
                failures.addAndGet(outcome & Window.FAILED);
                slow.addAndGet((outcome & Window.SLOW) >> 1);
                window.record(outcome, 0);
              });

          assertThat(window.counts(0))
              .isEqualTo(new Counts((long) threads * records, failures.get(), slow.get()));
        });
  }

  @Test
  void timeWindowCountsEveryContendedRecordExactly() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          int threads = 8;
          int records = 5_000 * SCALE;
          TimeWindow window = new TimeWindow(3, new Thresholds(100, 100, 1));
          AtomicLong failures = new AtomicLong();
          runConcurrently(
              threads,
              records,
              (thread, i) -> {
                int outcome = (thread + i) % 2;
                failures.addAndGet(outcome);
                window.record(outcome, (long) (i % 3) * 1_000_000_000L); // seconds 0, 1, 2
              });

          assertThat(window.counts(2_000_000_000L))
              .isEqualTo(new Counts((long) threads * records, failures.get(), 0));
        });
  }

  @Test
  void timeWindowLetsSomeRecordSeeTheFullWindowEvenWhenRecordsArriveLate() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          for (int round = 0; round < 20 * SCALE; round++) {
            int threads = 8;
            int records = 2_000;
            long total = (long) threads * records;
            // only a record that sees every call judges: a missed late record would lose the trip
            TimeWindow window = new TimeWindow(5, new Thresholds(100, 100, total));
            AtomicLong tripped = new AtomicLong();
            runConcurrently(
                threads,
                records,
                (thread, i) -> {
                  long second = (thread + i / 500) % 3; // threads straddle seconds 0..2
                  int verdict = window.record(Window.FAILED, second * 1_000_000_000L + i);
                  if (verdict != Window.BELOW_MINIMUM_CALLS) {
                    tripped.incrementAndGet();
                  }
                });

            assertThat(tripped.get()).isPositive();
            assertThat(window.counts(2_000_000_000L).calls()).isEqualTo(total);
          }
        });
  }

  @Test
  void timeWindowSummaryOfEarlierSecondsNeverMissesALateRecord() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          for (int round = 0; round < 20 * SCALE; round++) {
            int threads = 8;
            int records = 2_000;
            long total = (long) threads * records;
            TimeWindow window = new TimeWindow(5, new Thresholds(100, 100, total + 1));
            runConcurrently(
                threads,
                records,
                (thread, i) -> {
                  long second = (thread + i / 500) % 3; // many records arrive a second late
                  window.record(Window.FAILED, second * 1_000_000_000L + i);
                });

            // judged through the summary of seconds 0 and 1 taken during the contention
            int verdict = window.record(Window.FAILED, 2_500_000_000L);
            assertThat(verdict).isEqualTo(Window.FAILURE_RATE_EXCEEDED);
          }
        });
  }

  interface Work {
    void run(int thread, int iteration);
  }

  /** Runs {@code work} on platform threads started together, and joins them all. */
  static void runConcurrently(int threads, int iterations, Work work) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      started.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      start.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      return;
                    }
                    for (int i = 0; i < iterations; i++) {
                      work.run(thread, i);
                    }
                  }));
    }
    start.countDown();
    for (Thread thread : started) {
      thread.join();
      assertThat(thread.isAlive()).isFalse();
    }
  }
}
