package dev.bulwark.resilience.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The limit algorithms as pure functions of samples: no clock, no bulkhead, no threads. Times are
 * plain numbers of nanoseconds; {@code MS} is one millisecond.
 */
class LimitAlgorithmTest {

  private static final long MS = 1_000_000L;

  // ---- AIMD ----

  @Test
  void aimdGrowsByAboutOnePerRoundTripOfSuccessfulCalls() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.aimd().build().start(10, 1, 100);
    long t = 0;
    int limitAfter = limit.current();
    for (int trip = 0; trip < 5; trip++) {
      int calls = limit.current();
      for (int i = 0; i < calls + 1; i++) { // one round trip: about `limit` calls finish
        limitAfter = limit.onSample(t, 10 * MS, calls, false);
      }
      t += 10 * MS;
    }
    assertThat(limitAfter).isEqualTo(15);
  }

  @Test
  void aimdDoesNotGrowWhileLessThanHalfTheLimitIsInFlight() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.aimd().build().start(10, 1, 100);
    for (int i = 0; i < 1_000; i++) {
      assertThat(limit.onSample(i * MS, MS, 4, false)).isEqualTo(10);
    }
    assertThat(limit.onSample(0, MS, 5, false)).isEqualTo(10); // 5 of 10: busy enough to grow
  }

  @Test
  void aimdMultipliesByTheBackoffRatioOnADropAndRoundsDown() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.aimd().build().start(20, 1, 100);
    assertThat(limit.onSample(0, 10 * MS, 20, true)).isEqualTo(18);
    LimitAlgorithm.Limit halving = LimitAlgorithm.aimd().backoffRatio(0.5).build().start(9, 1, 100);
    assertThat(halving.onSample(0, 10 * MS, 9, true)).isEqualTo(4);
  }

  @Test
  void aimdCountsOnlyDropsOfCallsThatStartedAfterTheLastDecrease() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.aimd().build().start(100, 1, 200);
    // a burst of drops from calls that were all in flight together: one decrease
    assertThat(limit.onSample(0, 50 * MS, 100, true)).isEqualTo(90);
    for (int i = 1; i < 100; i++) {
      assertThat(limit.onSample(i * 100_000L, 50 * MS, 100, true)).isEqualTo(90);
    }
    // a call that started after the first drop was seen (at 50 ms) brings news: another decrease
    assertThat(limit.onSample(50 * MS, 50 * MS, 90, true)).isEqualTo(81);
  }

  @Test
  void aimdStaysWithinItsBounds() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.aimd().build().start(3, 2, 4);
    long t = 0;
    for (int i = 0; i < 10; i++) {
      t += 10 * MS;
      limit.onSample(t, MS, 4, true);
    }
    assertThat(limit.current()).isEqualTo(2);
    for (int i = 0; i < 1_000; i++) {
      limit.onSample(t, MS, 4, false);
    }
    assertThat(limit.current()).isEqualTo(4);
  }

  @Test
  void aimdRecipesStartIndependentLimits() {
    LimitAlgorithm aimd = LimitAlgorithm.aimd().build();
    LimitAlgorithm.Limit a = aimd.start(10, 1, 100);
    LimitAlgorithm.Limit b = aimd.start(10, 1, 100);
    a.onSample(0, MS, 10, true);
    assertThat(a.current()).isEqualTo(9);
    assertThat(b.current()).isEqualTo(10);
    assertThat(aimd).hasToString("aimd(backoffRatio=0.9)");
  }

  // ---- gradient ----

  /** Feeds one window: {@code n} calls that started at {@code start}; returns when they ended. */
  private static long window(
      LimitAlgorithm.Limit limit, long start, long rtt, int inflight, int n) {
    for (int i = 0; i < n; i++) {
      limit.onSample(start, rtt, inflight, false);
    }
    return start + rtt;
  }

  @Test
  void gradientGrowsBySmoothingTimesQueueSizePerWindowWhileLatencyIsSteady() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.gradient().build().start(20, 1, 100);
    long t = 0;
    // 20 → 20.8 → 21.6 → 22.4 → 23.2: +0.2 × 4 per window
    int[] expected = {20, 21, 22, 23};
    for (int e : expected) {
      t = window(limit, t, 10 * MS, limit.current(), 10);
      assertThat(limit.current()).isEqualTo(e);
    }
  }

  @Test
  void gradientUpdatesOnlyOncePerWindowOfSamples() {
    LimitAlgorithm.Limit limit =
        LimitAlgorithm.gradient().windowSamples(5).queueSize(12).build().start(20, 1, 100);
    for (int i = 0; i < 4; i++) {
      assertThat(limit.onSample(0, 10 * MS, 20, false)).isEqualTo(20);
    }
    assertThat(limit.onSample(0, 10 * MS, 20, false)).isEqualTo(22); // 20 + 0.2 × 12 = 22.4
  }

  @Test
  void gradientSkipsSamplesOfCallsThatStartedBeforeTheLastUpdate() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.gradient().queueSize(12).build().start(20, 1, 100);
    long end = window(limit, 0, 10 * MS, 20, 10); // update at 10 ms: 22.4
    assertThat(limit.current()).isEqualTo(22);
    // calls that started before 10 ms measured the old limit: not even counted towards a window
    for (int i = 0; i < 100; i++) {
      limit.onSample(end - 1, 500 * MS, 22, false);
    }
    assertThat(limit.current()).isEqualTo(22);
    window(limit, end, 10 * MS, 22, 10);
    assertThat(limit.current()).isEqualTo(24); // 22.4 + 0.2 × 12 = 24.8
  }

  @Test
  void gradientShrinksWhenShortTermLatencyExceedsToleranceTimesLongTerm() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.gradient().build().start(50, 1, 100);
    long t = window(limit, 0, 10 * MS, 50, 10); // long-term latency: 10 ms; limit 50.8
    assertThat(limit.current()).isEqualTo(50);
    // 30 ms is 3× the usual: gradient = clamp(0.5, 1, 1.5 × 10 / 30) = 0.5
    // limit = 0.8 × 50.8 + 0.2 × (0.5 × 50.8 + 4) = 46.52
    t = window(limit, t, 30 * MS, 50, 10);
    assertThat(limit.current()).isEqualTo(46);
    // 12 ms is within the tolerance: the limit grows again
    window(limit, t, 12 * MS, 46, 10);
    assertThat(limit.current()).isEqualTo(47);
  }

  @Test
  void gradientShrinksAsFastAsItCanOnAWindowWithADropEvenIfThatCallWasFast() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.gradient().build().start(50, 1, 100);
    long t = window(limit, 0, 10 * MS, 50, 10); // 50.8
    for (int i = 0; i < 9; i++) {
      limit.onSample(t, 10 * MS, 50, false);
    }
    // refused further down after 1 ms: a fast call, but a drop
    // limit = 0.8 × 50.8 + 0.2 × (0.5 × 50.8 + 4) = 46.52
    assertThat(limit.onSample(t, MS, 50, true)).isEqualTo(46);
  }

  @Test
  void gradientKeepsItsBaselineWhileItsOwnQueueKeepsLatencyHigh() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.gradient().tolerance(1.0).build().start(40, 1, 200);
    long t = window(limit, 0, 10 * MS, 40, 10);
    // latency 20 % above the baseline for a long time: with the baseline fed by these windows
    // (as Gradient2 does) the limit would drift up; here it settles where 1.0 × 10/12 × L + 4 = L
    for (int i = 0; i < 2_000; i++) {
      t = window(limit, t, 12 * MS, limit.current(), 10);
    }
    assertThat(limit.current()).isBetween(23, 24);
  }

  @Test
  void gradientLeavesTheLimitAloneWhenTheCallerIsIdle() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.gradient().build().start(40, 1, 200);
    long t = window(limit, 0, 10 * MS, 40, 10);
    int before = limit.current();
    for (int i = 0; i < 100; i++) {
      t = window(limit, t, 100 * MS, 5, 10); // slow, but only 5 of 40 in flight
    }
    assertThat(limit.current()).isEqualTo(before);
  }

  @Test
  void gradientAcceptsADependencyThatReallyGotSlowerOnceTheLimitIsAtItsFloor() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.gradient().longWindow(20).build().start(20, 5, 100);
    long t = window(limit, 0, 10 * MS, 20, 10);
    int lowest = limit.current();
    for (int i = 0; i < 600; i++) {
      t = window(limit, t, 40 * MS, limit.current(), 10); // four times slower, for good
      lowest = Math.min(lowest, limit.current());
    }
    // the limit falls to where a gradient of 0.5 balances the headroom of 4 (8); latency still
    // 4× there is not of the limiter's making, so the baseline moves to 40 ms and the limit grows
    assertThat(lowest).isBetween(8, 9);
    assertThat(limit.current()).isGreaterThan(30);
  }

  @Test
  void gradientStaysWithinItsBounds() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.gradient().build().start(10, 10, 12);
    long t = 0;
    for (int i = 0; i < 100; i++) {
      t = window(limit, t, 10 * MS, 12, 10);
    }
    assertThat(limit.current()).isEqualTo(12);
    for (int i = 0; i < 100; i++) {
      t = window(limit, t, 1_000 * MS, 12, 10);
    }
    assertThat(limit.current()).isEqualTo(10);
  }

  // ---- capacity ----

  /** Feeds one window of a dependency whose calls all take {@code rtt}; returns its end. */
  private static long capacityWindow(
      LimitAlgorithm.Limit limit, long start, long rtt, int inflight) {
    for (int i = 0; i < 10; i++) {
      limit.onSample(start, rtt, inflight, false);
    }
    return start + rtt;
  }

  /** A limit that has probed a 10 ms baseline, starting at {@code initial}; returns the time. */
  private static long probed(LimitAlgorithm.Limit limit, int initial) {
    long t = capacityWindow(limit, 0, 10 * MS, initial); // probe at the initial limit
    t = capacityWindow(limit, t, 10 * MS, limit.current()); // and one lower: it agrees
    assertThat(limit.current()).isEqualTo(initial);
    return t;
  }

  @Test
  void capacityProbesItsBaselineAtTheInitialLimitAndOneHeadroomLowerFirst() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.capacity().build().start(20, 1, 200);
    assertThat(limit).hasToString("capacity limit 20 (probing), baseline 0ns");
    long t = capacityWindow(limit, 0, 10 * MS, 20);
    assertThat(limit.current()).isEqualTo(18); // 20 / 1.1: does latency fall with the limit?
    capacityWindow(limit, t, 10 * MS, 18); // no: 10 ms is the baseline; back to the limit
    assertThat(limit.current()).isEqualTo(20);
    assertThat(limit).hasToString("capacity limit 20, baseline 10000000ns");
  }

  @Test
  void capacityGrowsByAboutHeadroomTimesSmoothingPerWindowWhileNothingQueues() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.capacity().build().start(20, 1, 200);
    long t = probed(limit, 20);
    // target = 1.1 × 20 + 1 = 23; 20 + 0.2 × 3 = 20.6; then 20.6 + 0.2 × (23 - 20.6) = 21.08
    t = capacityWindow(limit, t, 10 * MS, limit.current());
    assertThat(limit.current()).isEqualTo(20);
    t = capacityWindow(limit, t, 10 * MS, limit.current());
    assertThat(limit.current()).isEqualTo(21);
    for (int i = 0; i < 20; i++) {
      t = capacityWindow(limit, t, 10 * MS, limit.current());
    }
    assertThat(limit.current()).isBetween(30, 40);
  }

  @Test
  void capacityMovesTowardsHeadroomAboveTheCapacityItEstimatesFromQueueing() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.capacity().build().start(60, 1, 200);
    long t = probed(limit, 60);
    // 60 calls take twice the baseline: the dependency serves 30 at once; target 1.1 × 30 + 1
    capacityWindow(limit, t, 20 * MS, 60);
    assertThat(limit.current()).isEqualTo(54); // 60 + 0.2 × (34 - 60) = 54.8
  }

  @Test
  void capacitySettlesHeadroomAboveTheCapacityOfAServerThatSlowsInProportionBeyondIt() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.capacity().build().start(100, 1, 200);
    long t = 0;
    // a dependency that serves 40 at once in 10 ms; starting far above, the first probes see
    // queueing and go lower until latency stops falling
    for (int i = 0; i < 200; i++) {
      int inflight = limit.current();
      t = capacityWindow(limit, t, 10 * MS * Math.max(40, inflight) / 40, inflight);
    }
    assertThat(limit.current()).isEqualTo(45); // 1.1 × 40 + 1
  }

  @Test
  void capacityLeavesTheLimitAloneWhenTheCallerIsIdle() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.capacity().build().start(40, 1, 200);
    long t = probed(limit, 40);
    for (int i = 0; i < 100; i++) {
      t = capacityWindow(limit, t, 10 * MS, 5); // 5 of 40 in flight, nothing queues
    }
    assertThat(limit.current()).isEqualTo(40);
  }

  @Test
  void capacityBacksOffOnAWindowWithADropEvenIfItsCallsWereFast() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.capacity().build().start(40, 1, 200);
    long t = probed(limit, 40);
    for (int i = 0; i < 9; i++) {
      limit.onSample(t, 10 * MS, 40, false);
    }
    // refused further down after 1 ms: target half the limit, 40 + 0.2 × (20 - 40) = 36
    assertThat(limit.onSample(t, MS, 40, true)).isEqualTo(36);
  }

  @Test
  void capacityMovesAtMostHalfwayToHalfTheLimitOnAnOutlier() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.capacity().build().start(40, 1, 200);
    long t = probed(limit, 40);
    capacityWindow(limit, t, 1_000 * MS, 40); // a pause of a second: "capacity" 0.4
    assertThat(limit.current()).isEqualTo(36); // 40 + 0.2 × (20 - 40)
  }

  @Test
  void capacitySkipsSamplesOfCallsThatStartedBeforeTheLastUpdate() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.capacity().build().start(60, 1, 200);
    long t = probed(limit, 60);
    for (int i = 0; i < 100; i++) {
      limit.onSample(t - 1, 1_000 * MS, 60, true); // measured the old limit: not counted
    }
    assertThat(limit.current()).isEqualTo(60);
  }

  @Test
  void capacityRemeasuresItsBaselineEveryProbeIntervalAndAcceptsADependencyThatGotSlower() {
    LimitAlgorithm.Limit limit =
        LimitAlgorithm.capacity().probeInterval(Duration.ofSeconds(1)).build().start(40, 20, 200);
    long t = probed(limit, 40);
    // the dependency now takes 20 ms even with nothing queued: to the old baseline that looks
    // like queueing, so the limit falls, to its minimum here, until the next probe ...
    while (t < 1_000 * MS) {
      t = capacityWindow(limit, t, 20 * MS, limit.current());
    }
    assertThat(limit.current()).isEqualTo(20);
    assertThat(limit.toString()).endsWith("baseline 10000000ns");
    // ... which measures 20 ms at the minimum and takes it as the baseline
    t = capacityWindow(limit, t, 20 * MS, limit.current());
    t = capacityWindow(limit, t, 20 * MS, limit.current());
    assertThat(limit.toString()).endsWith("baseline 20000000ns");
    for (int i = 0; i < 20; i++) {
      t = capacityWindow(limit, t, 20 * MS, limit.current());
    }
    assertThat(limit.current()).isGreaterThan(25); // nothing queues at 20 ms now: it grows
  }

  @Test
  void capacityStaysWithinItsBounds() {
    LimitAlgorithm.Limit limit = LimitAlgorithm.capacity().build().start(10, 10, 12);
    long t = 0;
    for (int i = 0; i < 100; i++) {
      t = capacityWindow(limit, t, 10 * MS, 12);
    }
    assertThat(limit.current()).isEqualTo(12);
    for (int i = 0; i < 20; i++) { // 20 s: before the next probe would take 1 s as the baseline
      t = capacityWindow(limit, t, 1_000 * MS, 12);
    }
    assertThat(limit.current()).isEqualTo(10);
  }

  @Test
  void capacityRecipesStartIndependentLimitsAndNameTheirSettings() {
    LimitAlgorithm capacity = LimitAlgorithm.capacity().build();
    LimitAlgorithm.Limit a = capacity.start(10, 1, 100);
    LimitAlgorithm.Limit b = capacity.start(10, 1, 100);
    capacityWindow(a, 0, MS, 10);
    assertThat(a.current()).isEqualTo(9);
    assertThat(b.current()).isEqualTo(10);
    assertThat(capacity)
        .hasToString("capacity(headroom=0.1, smoothing=0.2, windowSamples=10, probeInterval=30s)");
  }
}
