package dev.bulwark.resilience.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.circuitbreaker.Window.Counts;
import dev.bulwark.resilience.circuitbreaker.Window.Thresholds;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The count window's fast path: a fast success recorded in a full window of fast successes changes
 * nothing and writes nothing. These tests fail if it is taken where it must not be (before the
 * window is full, while a failure or a slow call is in it, for an outcome that is not a fast
 * success), if it loses an outcome's place in the order of eviction, or if it is not taken at all.
 */
class CountWindowFastPathTest {

  private static final int SCALE = Integer.getInteger("bulwark.stress.scale", 1);

  /** Any failure or slow call in the window exceeds its threshold: the verdict shows it. */
  private static final Thresholds ANY_OUTCOME_SHOWS =
      new Thresholds(Float.MIN_VALUE, Float.MIN_VALUE, 1);

  private static final int[] SIZES = {1, 2, 3, 7, 100, 1_000};

  private static void recordSuccesses(CountWindow window, int count) {
    for (int i = 0; i < count; i++) {
      window.record(0, 0);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {Window.FAILED, Window.SLOW, Window.FAILED | Window.SLOW})
  void anOutcomeAfterALongRunOfFastSuccessesIsEvictedExactlySizeRecordsLater(int outcome) {
    for (int size : SIZES) {
      CountWindow window = new CountWindow(size, ANY_OUTCOME_SHOWS);
      recordSuccesses(window, 7 * size + 13); // well past full: every later success is fast
      long failures = outcome & Window.FAILED;
      long slow = (outcome & Window.SLOW) >> 1;

      assertThat(window.record(outcome, 0)).isGreaterThanOrEqualTo(Window.FAILURE_RATE_EXCEEDED);
      for (int i = 1; i < size; i++) {
        // still in the window: each of the next size - 1 records sees it
        assertThat(window.record(0, 0)).as("size %d, record %d after", size, i).isGreaterThan(1);
        assertThat(window.counts(0)).isEqualTo(new Counts(size, failures, slow));
      }
      assertThat(window.record(0, 0)).as("size %d", size).isEqualTo(Window.BELOW_THRESHOLDS);
      assertThat(window.counts(0)).isEqualTo(new Counts(size, 0, 0));
      assertThat(window.recount()).isEqualTo(window.counts(0));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 100})
  void twoOutcomesAmongFastSuccessesLeaveInTheOrderTheyCame(int size) {
    CountWindow window = new CountWindow(size, ANY_OUTCOME_SHOWS);
    recordSuccesses(window, 3 * size);
    int gap = size / 2; // the slow call comes gap records after the failure
    window.record(Window.FAILED, 0);
    recordSuccesses(window, gap);
    window.record(Window.SLOW, 0);
    for (int after = gap + 1; after < 3 * size; after++) { // records after the failure
      boolean failureIn = after < size;
      boolean slowIn = after - gap - 1 < size;
      assertThat(window.counts(0))
          .as("size %d, %d records after the failure", size, after)
          .isEqualTo(new Counts(size, failureIn ? 1 : 0, slowIn ? 1 : 0));
      window.record(0, 0);
    }
    assertThat(window.counts(0)).isEqualTo(new Counts(size, 0, 0));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 100})
  void aWindowNotYetFullCountsEveryFastSuccess(int size) {
    CountWindow window = new CountWindow(size, new Thresholds(50, 100, size));
    for (int i = 1; i <= size; i++) {
      int verdict = window.record(0, 0);
      assertThat(window.counts(0).calls()).isEqualTo(i);
      assertThat(verdict)
          .isEqualTo(i < size ? Window.BELOW_MINIMUM_CALLS : Window.BELOW_THRESHOLDS);
    }
    window.record(0, 0);
    assertThat(window.counts(0)).isEqualTo(new Counts(size, 0, 0));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 100})
  void aHealthyFullWindowRecordsAFastSuccessWithoutWritingAnything(int size) {
    CountWindow window = new CountWindow(size, ANY_OUTCOME_SHOWS);
    recordSuccesses(window, size);
    long sequence = window.sequence();

    recordSuccesses(window, 10 * size + 3);

    assertThat(window.sequence()).isEqualTo(sequence); // no record moved the totals
    assertThat(window.recount()).isEqualTo(new Counts(size, 0, 0));
    window.record(Window.FAILED, 0); // any other outcome does
    assertThat(window.sequence()).isEqualTo((sequence + 1) % (size * ((1L << 31) / size)));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 100})
  void theFastPathJudgesAsAFullWindowOfSuccessesIsJudged(int size) {
    // a minimum above the size (the count window is never built so, but the window must not care)
    for (long minimum : new long[] {1, size, size + 1L}) {
      Thresholds thresholds = new Thresholds(50, 100, minimum);
      CountWindow window = new CountWindow(size, thresholds);
      recordSuccesses(window, 2 * size);
      assertThat(window.record(0, 0)).isEqualTo(thresholds.judge(size, 0, 0));
    }
  }

  /** A run of one outcome: outcome 0 (a fast success) repeated, or another outcome. */
  record Run(int outcome, int length) {}

  @Provide
  Arbitrary<List<Run>> runs() {
    Arbitrary<Integer> outcomes =
        Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.just(0)), Tuple.of(1, Arbitraries.integers().between(1, 3)));
    Arbitrary<Integer> lengths =
        Arbitraries.oneOf(
            Arbitraries.integers().between(1, 4), Arbitraries.integers().between(1, 300));
    return Combinators.combine(outcomes, lengths).as(Run::new).list().ofMaxSize(25);
  }

  @Property(tries = 300)
  void agreesWithAPlainListOfTheLastOutcomesThroughLongRunsOfSuccesses(
      @ForAll @IntRange(min = 1, max = 40) int size,
      @ForAll @IntRange(min = 1, max = 100) int failureRate,
      @ForAll @IntRange(min = 1, max = 100) int slowCallRate,
      @ForAll @IntRange(min = 1, max = 45) int minimumCalls,
      @ForAll("runs") List<Run> runs) {
    Thresholds thresholds = new Thresholds(failureRate, slowCallRate, minimumCalls);
    CountWindow window = new CountWindow(size, thresholds);
    ArrayDeque<Integer> model = new ArrayDeque<>();
    long failures = 0;
    long slow = 0;
    for (Run run : runs) {
      for (int i = 0; i < run.length(); i++) {
        model.addLast(run.outcome());
        failures += run.outcome() & Window.FAILED;
        slow += (run.outcome() & Window.SLOW) >> 1;
        if (model.size() > size) {
          int evicted = model.removeFirst();
          failures -= evicted & Window.FAILED;
          slow -= (evicted & Window.SLOW) >> 1;
        }

        int verdict = window.record(run.outcome(), 0);

        Counts expected = new Counts(model.size(), failures, slow);
        assertThat(window.counts(0)).isEqualTo(expected);
        assertThat(window.recount()).isEqualTo(expected);
        assertThat(verdict).isEqualTo(thresholds.judge(model.size(), failures, slow));
      }
    }
  }

  /*
   * Under contention every record's verdict is computed at the instant it takes effect. A failure
   * is in the window for exactly its own record and the size - 1 records after it, whichever
   * threads make them, fast or not; so with failures far enough apart that no two share the
   * window, exactly size verdicts per failure say "failure rate exceeded" (any failure exceeds
   * it). The same for slow calls, on their own bit. A fast path taken while a failure is pending
   * or in the window, or one that skipped an eviction, would change those totals.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 16, 100})
  void everyFailureAndSlowCallIsSeenByExactlyTheSizeRecordsFromItsOwnUnderContention(int size) {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          for (int round = 0; round < 4 * SCALE; round++) {
            int threads = round % 2 == 0 ? 2 : 4;
            int records = 20_000;
            int gap = size + 1; // a thread's own records between two of its failures: size
            int offset = round % gap;
            CountWindow window = new CountWindow(size, ANY_OUTCOME_SHOWS);
            recordSuccesses(window, size); // full and healthy: the fast path is open
            long[][] seen = new long[threads][2]; // per thread: failure verdicts, slow verdicts
            long[] injected = new long[2];
            WindowTest.runConcurrently(
                threads,
                records,
                (thread, i) -> {
                  // thread 0 injects failures, thread 1 slow calls, each followed by at least
                  // size records of its own (so the last one is evicted before the end)
                  boolean inject = thread < 2 && i % gap == offset && i < records - gap;
                  int outcome = inject ? (thread == 0 ? Window.FAILED : Window.SLOW) : 0;
                  if (inject) {
                    injected[thread]++;
                  }
                  int verdict = window.record(outcome, 0);
                  if ((verdict & Window.FAILURE_RATE_EXCEEDED) != 0) {
                    seen[thread][0]++;
                  }
                  if ((verdict & Window.SLOW_CALL_RATE_EXCEEDED) != 0) {
                    seen[thread][1]++;
                  }
                });

            long failureVerdicts = 0;
            long slowVerdicts = 0;
            for (long[] s : seen) {
              failureVerdicts += s[0];
              slowVerdicts += s[1];
            }
            assertThat(injected[0]).isPositive();
            assertThat(failureVerdicts).isEqualTo(injected[0] * size);
            assertThat(slowVerdicts).isEqualTo(injected[1] * size);
            assertThat(window.counts(0)).isEqualTo(new Counts(size, 0, 0));
            assertThat(window.recount()).isEqualTo(window.counts(0));
          }
        });
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 16})
  void mostlySuccessfulContendedRecordsLeaveTotalsEqualToTheSlots(int size) {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          for (int round = 0; round < 8 * SCALE; round++) {
            int threads = round % 2 == 0 ? 2 : 8;
            CountWindow window = new CountWindow(size, new Thresholds(50, 50, 1));
            int rare = 7 + round; // one record in `rare` is a failure, slow, or both
            WindowTest.runConcurrently(
                threads,
                20_000,
                (thread, i) -> {
                  int outcome = (i * 31 + thread) % rare == 0 ? 1 + (i + thread) % 3 : 0;
                  window.record(outcome, 0);
                });

            assertThat(window.counts(0)).isEqualTo(window.recount());
            assertThat(window.counts(0).calls()).isEqualTo(size);
          }
        });
  }
}
