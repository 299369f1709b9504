package dev.bulwark.resilience.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;

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
}
