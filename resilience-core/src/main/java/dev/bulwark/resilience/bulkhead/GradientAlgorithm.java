package dev.bulwark.resilience.bulkhead;

/*
 * A gradient algorithm after Netflix concurrency-limits' Gradient2Limit.
 *
 * The idea: latency that rises with the concurrency limit means calls are queueing in the
 * dependency, so the limit is above what it can serve. The algorithm compares a short-term latency
 * (what calls take now) with a long-term one (what they usually take):
 *
 *   gradient = clamp(0.5, 1, tolerance × longRtt / shortRtt)
 *   newLimit = gradient × limit + queueSize               (queueSize: headroom to keep probing)
 *   limit    = (1 − smoothing) × limit + smoothing × newLimit, bounded by [min, max]
 *
 * While latency is steady the gradient is 1 and the limit grows by smoothing × queueSize per
 * update; once short-term latency exceeds tolerance × long-term the gradient shrinks the limit, at
 * most halving the estimate per update so an outlier cannot collapse it. With a dependency that
 * slows in proportion to the calls beyond its capacity C the limit settles at
 * tolerance × C + queueSize.
 *
 * As in Gradient2: the long-term latency is an exponential average (a plain mean over the first 10
 * updates, then a window of longWindow updates); when it is more than twice the short-term one
 * (latency has recovered after a long overload) it decays by 5 % per update; and an update whose
 * calls had less than half the limit in flight leaves the limit alone (the caller, not the
 * dependency, set the pace).
 *
 * Where this differs from Gradient2, and why:
 *
 * 1. Samples are gathered into windows (at least windowSamples samples, and at least one round
 *    trip: samples of calls that started before the last update measured the old limit and are
 *    skipped); one update per window uses the window's mean latency. Netflix gets the same effect
 *    by wrapping Gradient2 in its WindowedLimit; per-sample updates swing the limit several-fold
 *    because the limit grows for a whole round trip before the first slow call returns.
 * 2. The long-term average is fed only by windows that show no queueing (short ≤ tolerance ×
 *    long), by idle windows, and by windows where the limit is as low as the gradient can take it
 *    (below max(minLimit, 2 × queueSize) + 1; a gradient of 0.5 balances the headroom at
 *    2 × queueSize). Gradient2 feeds it every sample, so a queue the limiter itself keeps up drags
 *    the baseline up and the limit with it, without end. A dependency that really got slower
 *    still moves the baseline: the limit falls to its floor, and latency that stays high there is
 *    not of the limiter's making, so those windows feed the average.
 *
 * AdaptiveBulkheadSimulationTest runs Gradient2 as written (per-sample updates, every sample
 * feeding the average) for comparison: for a capacity of 40 its limit swings between 10 and 157
 * and latency nearly doubles, where this version holds 48 to 49 with tolerance 1.1.
 *
 * 3. Drops count. Gradient2 only averages a dropped call's latency, but a call refused further
 *    down returns fast and would make the dependency look quicker just when it is overloaded. Here
 *    a window with a drop in it updates with the smallest gradient (0.5), the way AIMD and Vegas
 *    back off on a drop, and counts as queueing for the long-term average.
 */
/** The gradient recipe; each {@link #start} returns independent state. */
record GradientAlgorithm(
    double tolerance, double smoothing, int queueSize, int longWindow, int windowSamples)
    implements LimitAlgorithm {

  private static final int WARMUP_WINDOWS = 10;

  @Override
  public Limit start(int initialLimit, int minLimit, int maxLimit) {
    return new State(this, initialLimit, minLimit, maxLimit);
  }

  @Override
  public String toString() {
    return "gradient(tolerance="
        + tolerance
        + ", smoothing="
        + smoothing
        + ", queueSize="
        + queueSize
        + ", longWindow="
        + longWindow
        + ", windowSamples="
        + windowSamples
        + ")";
  }

  private static final class State implements Limit {
    private final GradientAlgorithm recipe;
    private final int min;
    private final int max;
    private double estimate;

    private boolean windowOpened; // false until the first update
    private long windowOpensNanos; // samples of calls started before this are stale
    private double windowSum;
    private int windowCount;
    private int windowMaxInflight;
    private boolean windowDropped;

    private double longRtt = Double.NaN;
    private long longUpdates;

    State(GradientAlgorithm recipe, int initial, int min, int max) {
      this.recipe = recipe;
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
      if (windowOpened && startNanos - windowOpensNanos < 0) {
        return current();
      }
      windowSum += rttNanos;
      windowCount++;
      windowMaxInflight = Math.max(windowMaxInflight, inflight);
      windowDropped |= dropped;
      if (windowCount < recipe.windowSamples) {
        return current();
      }
      double shortRtt = Math.max(1.0, windowSum / windowCount);
      int busiest = windowMaxInflight;
      boolean drop = windowDropped;
      windowSum = 0;
      windowCount = 0;
      windowMaxInflight = 0;
      windowDropped = false;
      windowOpened = true;
      windowOpensNanos = startNanos + rttNanos;
      update(shortRtt, busiest, drop);
      return current();
    }

    private void update(double shortRtt, int busiest, boolean drop) {
      if (Double.isNaN(longRtt)) {
        longRtt = shortRtt;
      }
      boolean idle = busiest < estimate / 2;
      boolean queueing = drop || shortRtt > recipe.tolerance * longRtt;
      // as low as the gradient can take the limit: at 0.5 it balances the headroom at 2 × queueSize
      boolean atFloor = estimate < Math.max(min, 2.0 * recipe.queueSize) + 1;
      if (!queueing || idle || atFloor) {
        longUpdates++;
        long window = longUpdates < WARMUP_WINDOWS ? longUpdates : recipe.longWindow;
        longRtt += (shortRtt - longRtt) / window;
      }
      if (longRtt / shortRtt > 2) {
        longRtt *= 0.95;
      }
      if (idle && !drop) {
        return;
      }
      double gradient =
          drop ? 0.5 : Math.max(0.5, Math.min(1.0, recipe.tolerance * longRtt / shortRtt));
      double target = gradient * estimate + recipe.queueSize;
      double smoothed = (1 - recipe.smoothing) * estimate + recipe.smoothing * target;
      estimate = Math.max(min, Math.min(max, smoothed));
    }

    @Override
    public String toString() {
      return "gradient limit " + current() + ", long rtt " + (long) longRtt + "ns";
    }
  }
}
