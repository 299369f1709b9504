package dev.bulwark.resilience.bulkhead;

import dev.bulwark.resilience.internal.Checks;
import java.time.Duration;

/**
 * How an {@link AdaptiveBulkhead} moves its concurrency limit: an immutable recipe that {@linkplain
 * #start(int, int, int) starts} a {@link Limit}, the state machine that turns samples of finished
 * calls into a new limit.
 *
 * <pre>{@code
 * AdaptiveBulkhead bulkhead = AdaptiveBulkhead.builder("search")
 *     .algorithm(LimitAlgorithm.capacity().headroom(0.1).build())
 *     .minLimit(5).maxLimit(200).initialLimit(20)
 *     .build();
 * }</pre>
 *
 * <p>A {@link Limit} is a pure function of the samples fed to it, after Netflix's
 * concurrency-limits ({@code onSample(start, rtt, inflight, dropped)}): it reads no clock, so it is
 * tested with plain sequences of samples. It is not thread-safe; the bulkhead feeds it under a
 * short lock.
 *
 * <p>Three algorithms come with Bulwark: {@link #capacity()} (the default: estimates the
 * dependency's capacity from latency against a periodically re-measured baseline, after TCP Vegas
 * and Envoy's adaptive concurrency filter), {@link #aimd()} (additive increase, multiplicative
 * decrease on a drop) and {@link #gradient()} (long-term against short-term latency, after
 * Gradient2). Users may write their own.
 */
public interface LimitAlgorithm {

  /**
   * Starts a fresh limit with its own state; each bulkhead starts its own.
   *
   * @param initialLimit the limit before the first sample, within [minLimit, maxLimit]
   * @param minLimit the lowest the limit may go, at least 1
   * @param maxLimit the highest the limit may go
   * @return the new limit
   */
  Limit start(int initialLimit, int minLimit, int maxLimit);

  /**
   * The running state of an algorithm: the current limit and how a sample moves it. Not
   * thread-safe.
   */
  interface Limit {

    /**
     * Returns the current limit.
     *
     * @return the limit, within the bounds it was started with
     */
    int current();

    /**
     * Takes one sample of a finished call and returns the new limit.
     *
     * @param startNanos when the call started, in nanoseconds of the bulkhead's time source (only
     *     differences between such values mean anything)
     * @param rttNanos how long the call took
     * @param inflight how many calls were in flight, this one included, when it started
     * @param dropped whether the call counts as a drop: it took longer than the bulkhead's timeout
     *     or failed with a refusal or timeout of its own
     * @return the new limit, within the bounds it was started with
     */
    int onSample(long startNanos, long rttNanos, int inflight, boolean dropped);
  }

  /**
   * Starts a capacity algorithm, the default of {@link AdaptiveBulkhead}: it estimates how many
   * calls the dependency serves at once from how much slower calls are than its baseline latency
   * (measured by a short probe at a lower limit every {@linkplain CapacityBuilder#probeInterval
   * probe interval}), and holds the limit a {@linkplain CapacityBuilder#headroom headroom} above
   * that estimate. It follows a step in capacity, down or up, within a second or so, and keeps
   * latency near the baseline.
   *
   * @return a builder with headroom 0.1, smoothing 0.2, window of 10 samples, probe interval 30 s
   */
  static CapacityBuilder capacity() {
    return new CapacityBuilder();
  }

  /**
   * Starts an AIMD algorithm: the limit grows by one per round trip of successful calls and shrinks
   * by the {@linkplain AimdBuilder#backoffRatio(double) backoff ratio} on a drop.
   *
   * @return a builder with backoff ratio 0.9
   */
  static AimdBuilder aimd() {
    return new AimdBuilder();
  }

  /**
   * Starts a gradient algorithm that compares short-term with long-term latency, after Netflix's
   * Gradient2. A window of samples with a drop in it shrinks the limit as much as a gradient can
   * (by half, smoothed).
   *
   * @return a builder with tolerance 1.5, smoothing 0.2, queue size 4, long window 600, window of
   *     10 samples
   */
  static GradientBuilder gradient() {
    return new GradientBuilder();
  }

  /** Builds a capacity {@link LimitAlgorithm}; {@link #build()} validates every setting. */
  final class CapacityBuilder {
    private double headroom = 0.1;
    private double smoothing = 0.2;
    private int windowSamples = 10;
    private Duration probeInterval = Duration.ofSeconds(30);

    private CapacityBuilder() {}

    /**
     * Sets how far above the estimated capacity the limit is held (default 0.1: 10 % more calls
     * than the dependency serves at once, so latency settles about 10 % above its baseline). Some
     * queue is needed to see the capacity at all; more headroom reacts to less of it.
     *
     * @param headroom in (0, 1]
     * @return this builder
     */
    public CapacityBuilder headroom(double headroom) {
      this.headroom = headroom;
      return this;
    }

    /**
     * Sets how far each window moves the limit towards its new target (default 0.2).
     *
     * @param smoothing in (0, 1]
     * @return this builder
     */
    public CapacityBuilder smoothing(double smoothing) {
      this.smoothing = smoothing;
      return this;
    }

    /**
     * Sets how many samples a window needs before it updates the limit (default 10). A window also
     * lasts at least one round trip: samples of calls that started before the last update are
     * skipped, since they measured the old limit.
     *
     * @param windowSamples at least 1
     * @return this builder
     */
    public CapacityBuilder windowSamples(int windowSamples) {
      this.windowSamples = windowSamples;
      return this;
    }

    /**
     * Sets how often the baseline latency is measured again (default 30 s): the limit drops below
     * the estimated capacity for a window or two, so that nothing queues. A dependency that got
     * slower or faster for good is recognised within this time.
     *
     * @param probeInterval positive
     * @return this builder
     */
    public CapacityBuilder probeInterval(Duration probeInterval) {
      this.probeInterval = probeInterval;
      return this;
    }

    /**
     * Validates the settings and builds the algorithm.
     *
     * @return the algorithm
     * @throws IllegalArgumentException if {@code headroom} or {@code smoothing} is outside (0, 1],
     *     {@code windowSamples} is less than 1, or {@code probeInterval} is not positive
     * @throws NullPointerException if {@code probeInterval} is null
     */
    public LimitAlgorithm build() {
      Checks.inRange(headroom, 0, false, 1, true, "headroom");
      Checks.inRange(smoothing, 0, false, 1, true, "smoothing");
      Checks.atLeast(windowSamples, 1, "windowSamples");
      Checks.positive(probeInterval, "probeInterval");
      return new CapacityAlgorithm(headroom, smoothing, windowSamples, probeInterval);
    }
  }

  /** Builds an AIMD {@link LimitAlgorithm}; {@link #build()} validates every setting. */
  final class AimdBuilder {
    private double backoffRatio = 0.9;

    private AimdBuilder() {}

    /**
     * Sets the factor the limit is multiplied by on a drop (default 0.9).
     *
     * @param backoffRatio in (0, 1)
     * @return this builder
     */
    public AimdBuilder backoffRatio(double backoffRatio) {
      this.backoffRatio = backoffRatio;
      return this;
    }

    /**
     * Validates the settings and builds the algorithm.
     *
     * @return the algorithm
     * @throws IllegalArgumentException if {@code backoffRatio} is outside (0, 1)
     */
    public LimitAlgorithm build() {
      Checks.inRange(backoffRatio, 0, false, 1, false, "backoffRatio");
      return new AimdAlgorithm(backoffRatio);
    }
  }

  /** Builds a gradient {@link LimitAlgorithm}; {@link #build()} validates every setting. */
  final class GradientBuilder {
    private double tolerance = 1.5;
    private double smoothing = 0.2;
    private int queueSize = 4;
    private int longWindow = 600;
    private int windowSamples = 10;

    private GradientBuilder() {}

    /**
     * Sets how much the short-term latency may exceed the long-term latency before the limit
     * shrinks (default 1.5: a rise of 50 % is tolerated). In a dependency that slows down in
     * proportion to the calls in flight beyond its capacity C, the limit settles near {@code
     * tolerance × C + queueSize}.
     *
     * @param tolerance at least 1
     * @return this builder
     */
    public GradientBuilder tolerance(double tolerance) {
      this.tolerance = tolerance;
      return this;
    }

    /**
     * Sets how far each update moves the limit towards its new estimate (default 0.2).
     *
     * @param smoothing in (0, 1]
     * @return this builder
     */
    public GradientBuilder smoothing(double smoothing) {
      this.smoothing = smoothing;
      return this;
    }

    /**
     * Sets the headroom added to the limit at each update, so that it can grow while latency is
     * steady (default 4).
     *
     * @param queueSize zero or more
     * @return this builder
     */
    public GradientBuilder queueSize(int queueSize) {
      this.queueSize = queueSize;
      return this;
    }

    /**
     * Sets over how many windows the long-term latency is averaged (default 600).
     *
     * @param longWindow at least 1
     * @return this builder
     */
    public GradientBuilder longWindow(int longWindow) {
      this.longWindow = longWindow;
      return this;
    }

    /**
     * Sets how many samples a window needs before it updates the limit (default 10). A window also
     * lasts at least one round trip: samples of calls that started before the last update are
     * dropped, since they measured the old limit.
     *
     * @param windowSamples at least 1
     * @return this builder
     */
    public GradientBuilder windowSamples(int windowSamples) {
      this.windowSamples = windowSamples;
      return this;
    }

    /**
     * Validates the settings and builds the algorithm.
     *
     * @return the algorithm
     * @throws IllegalArgumentException if {@code tolerance} is less than 1, {@code smoothing} is
     *     outside (0, 1], {@code queueSize} is negative, or {@code longWindow} or {@code
     *     windowSamples} is less than 1
     */
    public LimitAlgorithm build() {
      Checks.atLeast(tolerance, 1.0, "tolerance");
      Checks.inRange(smoothing, 0, false, 1, true, "smoothing");
      Checks.atLeast(queueSize, 0, "queueSize");
      Checks.atLeast(longWindow, 1, "longWindow");
      Checks.atLeast(windowSamples, 1, "windowSamples");
      return new GradientAlgorithm(tolerance, smoothing, queueSize, longWindow, windowSamples);
    }
  }
}
