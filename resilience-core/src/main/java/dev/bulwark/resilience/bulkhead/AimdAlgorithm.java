package dev.bulwark.resilience.bulkhead;

/*
 * AIMD: additive increase, multiplicative decrease, the rule TCP uses for its congestion window and
 * Netflix's concurrency-limits (AIMDLimit) for a concurrency limit.
 *
 * - A successful call, when the bulkhead is busy (at least half the limit was in flight when it
 *   started, Netflix's rule: an idle bulkhead learns nothing about its limit), adds 1/limit, so the
 *   limit grows by about one per round trip of calls.
 * - A drop (a call slower than the bulkhead's timeout, or one that failed with a refusal or a
 *   timeout of its own) multiplies the limit by backoffRatio (0.9) and rounds down.
 *
 * Two changes from Netflix's AIMDLimit, both from TCP, and both needed for the limit to settle
 * rather than swing between the bounds (AdaptiveBulkheadSimulationTest runs Netflix's rule for
 * comparison):
 *
 * 1. Netflix adds 1 per successful sample, so the limit grows by its own size every round trip
 *    and overshoots by that much before the first slow call comes back; here it grows by 1 per
 *    round trip (1/limit per sample, as TCP's congestion avoidance).
 * 2. Netflix shrinks on every dropped sample, so the burst of drops from one overshoot
 *    (every call that was in flight) multiplies the limit by 0.9 dozens of times and drives it to
 *    the minimum. Here a drop counts only if its call started after the last decrease: calls that
 *    started earlier measured the old limit and carry no news (TCP: one decrease per window).
 *    The sample's start time is what makes this a pure function of the samples.
 *
 * In a simulated dependency with capacity C = 40 that slows down beyond C, and a timeout 10 % above
 * its normal latency, the limit saws between 41 and 46; Netflix's rule swings between 1 and 89.
 */
/** The AIMD recipe; each {@link #start} returns independent state. */
record AimdAlgorithm(double backoffRatio) implements LimitAlgorithm {

  @Override
  public Limit start(int initialLimit, int minLimit, int maxLimit) {
    return new State(this, initialLimit, minLimit, maxLimit);
  }

  @Override
  public String toString() {
    return "aimd(backoffRatio=" + backoffRatio + ")";
  }

  private static final class State implements Limit {
    private final double backoffRatio;
    private final int min;
    private final int max;
    private double estimate;
    private boolean decreased;
    private long lastDecreaseNanos; // when the sample that caused the last decrease finished

    State(AimdAlgorithm recipe, int initial, int min, int max) {
      this.backoffRatio = recipe.backoffRatio;
      this.min = min;
      this.max = max;
      this.estimate = initial;
    }

    @Override
    public int current() {
      return (int) estimate;
    }

    @Override
    public int onSample(long startNanos, long rttNanos, int inflight, boolean dropped) {
      if (dropped) {
        if (!decreased || startNanos - lastDecreaseNanos >= 0) {
          estimate = Math.max(min, Math.floor(estimate * backoffRatio));
          decreased = true;
          lastDecreaseNanos = startNanos + rttNanos;
        }
      } else if (inflight * 2L >= current()) {
        estimate = Math.min(max, estimate + 1.0 / estimate);
      }
      return current();
    }

    @Override
    public String toString() {
      return "aimd limit " + current();
    }
  }
}
