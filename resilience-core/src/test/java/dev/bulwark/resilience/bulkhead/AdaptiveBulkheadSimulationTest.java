package dev.bulwark.resilience.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.PermitPolicy;
import dev.bulwark.resilience.RejectedException;
import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * The simulation: a dependency that serves C calls at once in {@code BASE} and slows down
 * in proportion beyond that (latency = BASE × max(1, inflight / C), fixed when the call starts),
 * offered twice the load it can serve (Poisson arrivals; a refused call is not retried). A
 * discrete-event simulation in virtual time ({@link ManualTimeSource}, one thread, no sleeping)
 * drives the real bulkheads through {@link PermitPolicy#acquirePermit()}.
 *
 * <p>Over the second half of the run (after the limit has found its level) the adaptive limit stays
 * within ±25 % of C and latency stays near BASE, where a fixed bulkhead set 4× too high lets
 * latency grow 4×.
 */
class AdaptiveBulkheadSimulationTest {

  private static final int C = 40;
  private static final long BASE = Duration.ofMillis(10).toNanos();
  private static final int COMPLETIONS = 40_000;

  /** What the second half of a run saw; latency in multiples of {@code BASE}. */
  record Outcome(int minLimit, int maxLimit, double meanLatency, double refusedShare) {}

  private record Event(long at, long seq, Permit permit) {}

  private final ManualTimeSource time = new ManualTimeSource();

  private Outcome simulate(PermitPolicy bulkhead, IntSupplier limit) {
    SplittableRandom random = new SplittableRandom(42);
    double meanGap = BASE / (2.0 * C); // arrivals at twice the capacity
    PriorityQueue<Event> events =
        new PriorityQueue<>(Comparator.comparingLong(Event::at).thenComparingLong(Event::seq));
    long seq = 0;
    events.add(new Event(gap(random, meanGap), seq++, null));
    int inflight = 0;
    int completed = 0;
    int minLimit = Integer.MAX_VALUE;
    int maxLimit = 0;
    double latencySum = 0;
    long admitted = 0;
    long refused = 0;
    while (completed < COMPLETIONS) {
      Event e = events.poll();
      time.advance(Duration.ofNanos(e.at - time.nanoTime()));
      boolean measuring = completed >= COMPLETIONS / 2;
      if (e.permit == null) { // an arrival
        events.add(new Event(e.at + gap(random, meanGap), seq++, null));
        try {
          Permit permit = bulkhead.acquirePermit();
          inflight++;
          long latency = (long) (BASE * Math.max(1.0, (double) inflight / C));
          events.add(new Event(e.at + latency, seq++, permit));
          if (measuring) {
            admitted++;
            latencySum += (double) latency / BASE;
          }
        } catch (RejectedException full) {
          if (measuring) {
            refused++;
          }
        }
      } else { // a completion
        e.permit.onSuccess();
        inflight--;
        completed++;
        if (measuring) {
          minLimit = Math.min(minLimit, limit.getAsInt());
          maxLimit = Math.max(maxLimit, limit.getAsInt());
        }
      }
    }
    return new Outcome(
        minLimit, maxLimit, latencySum / admitted, (double) refused / (admitted + refused));
  }

  private static long gap(SplittableRandom random, double mean) {
    return Math.max(1, (long) (-Math.log(1 - random.nextDouble()) * mean));
  }

  @Test
  void aFixedBulkheadSetFourTimesTooHighLetsLatencyGrowFourTimes() {
    Bulkhead fixed = Bulkhead.builder("fixed").maxConcurrentCalls(4 * C).timeSource(time).build();
    Outcome outcome = simulate(fixed, fixed.config()::maxConcurrentCalls);
    assertThat(outcome.meanLatency()).isBetween(3.6, 4.0);
  }

  @Test
  void aimdSettlesWithinAQuarterOfTheCapacityFromTimeouts() {
    AdaptiveBulkhead adaptive =
        AdaptiveBulkhead.builder("aimd")
            .algorithm(LimitAlgorithm.aimd().build())
            .minLimit(1)
            .initialLimit(10)
            .maxLimit(4 * C)
            .timeout(Duration.ofNanos(BASE * 11 / 10)) // 10 % slower than usual is a drop
            .timeSource(time)
            .build();
    Outcome outcome = simulate(adaptive, adaptive::limit);
    assertThat(outcome.minLimit()).isGreaterThanOrEqualTo(C * 3 / 4);
    assertThat(outcome.maxLimit()).isLessThanOrEqualTo(C * 5 / 4);
    assertThat(outcome.meanLatency()).isLessThan(1.25);
    assertThat(outcome.refusedShare()).isBetween(0.4, 0.6); // the excess load, and no more
  }

  @Test
  void gradientSettlesWithinAQuarterOfTheCapacityFromLatencyAlone() {
    AdaptiveBulkhead adaptive =
        AdaptiveBulkhead.builder("gradient")
            // the limit settles near tolerance × C + queueSize; Gradient2's default tolerance of
            // 1.5 accepts 50 % more latency by design, so it would settle at 1.5 C + 4
            .algorithm(LimitAlgorithm.gradient().tolerance(1.1).build())
            .minLimit(1)
            .initialLimit(10)
            .maxLimit(4 * C)
            .timeSource(time) // default timeout (5 s): no call is ever dropped
            .build();
    Outcome outcome = simulate(adaptive, adaptive::limit);
    assertThat(outcome.minLimit()).isGreaterThanOrEqualTo(C * 3 / 4);
    assertThat(outcome.maxLimit()).isLessThanOrEqualTo(C * 5 / 4);
    assertThat(outcome.meanLatency()).isLessThan(1.25);
    assertThat(outcome.refusedShare()).isBetween(0.4, 0.6);
  }

  // ---- For comparison: the peers' rules as written, which this simulation shows do not settle
  // ----

  /** Netflix's AIMDLimit: +1 per successful sample when busy, × 0.9 per dropped sample. */
  private static final LimitAlgorithm NETFLIX_AIMD =
      (initial, min, max) ->
          new LimitAlgorithm.Limit() {
            int limit = initial;

            @Override
            public int current() {
              return limit;
            }

            @Override
            public int onSample(long start, long rtt, int inflight, boolean dropped) {
              if (dropped) {
                limit = Math.max(min, (int) (limit * 0.9));
              } else if (inflight * 2 >= limit) {
                limit = Math.min(max, limit + 1);
              }
              return limit;
            }
          };

  /** Netflix's Gradient2Limit: one update per sample, the long-term average fed by every sample. */
  private static LimitAlgorithm netflixGradient2(double tolerance) {
    return (initial, min, max) ->
        new LimitAlgorithm.Limit() {
          double estimate = initial;
          double longRtt = Double.NaN;
          long count;

          @Override
          public int current() {
            return (int) estimate;
          }

          @Override
          public int onSample(long start, long rtt, int inflight, boolean dropped) {
            double shortRtt = rtt;
            count++;
            longRtt =
                Double.isNaN(longRtt)
                    ? shortRtt
                    : longRtt + (shortRtt - longRtt) / (count < 10 ? count : 600);
            if (longRtt / shortRtt > 2) {
              longRtt *= 0.95;
            }
            if (inflight < estimate / 2) {
              return current();
            }
            double gradient = Math.max(0.5, Math.min(1.0, tolerance * longRtt / shortRtt));
            double target = estimate * gradient + 4;
            estimate = Math.max(min, Math.min(max, estimate * 0.8 + target * 0.2));
            return current();
          }
        };
  }

  private AdaptiveBulkhead comparison(LimitAlgorithm algorithm, Duration timeout) {
    return AdaptiveBulkhead.builder("peer")
        .algorithm(algorithm)
        .minLimit(1)
        .initialLimit(10)
        .maxLimit(4 * C)
        .timeout(timeout)
        .timeSource(time)
        .build();
  }

  @Test
  void netflixAimdAsWrittenSwingsFarBeyondAQuarterOfTheCapacity() {
    AdaptiveBulkhead adaptive = comparison(NETFLIX_AIMD, Duration.ofNanos(BASE * 11 / 10));
    Outcome outcome = simulate(adaptive, adaptive::limit);
    assertThat(outcome.minLimit()).isLessThan(C / 4);
    assertThat(outcome.maxLimit()).isGreaterThan(C * 5 / 4);
  }

  @Test
  void netflixGradient2AsWrittenSwingsFarBeyondTheCapacityAndLetsLatencyGrow() {
    AdaptiveBulkhead adaptive = comparison(netflixGradient2(1.1), Duration.ofSeconds(5));
    Outcome outcome = simulate(adaptive, adaptive::limit);
    assertThat(outcome.maxLimit()).isGreaterThan(2 * C);
    assertThat(outcome.meanLatency()).isGreaterThan(1.5);
  }
}
