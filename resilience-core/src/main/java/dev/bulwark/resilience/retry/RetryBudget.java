package dev.bulwark.resilience.retry;

import dev.bulwark.resilience.CallCounts;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.OutcomeCounter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A budget that bounds retries (and hedged attempts) to a share of the calls, so that an outage
 * cannot multiply the load on a struggling dependency.
 *
 * <p>Within any sliding {@linkplain Builder#window(Duration) window}, at most {@code ratio ×
 * requests + minRetriesPerSecond × windowSeconds} retries are allowed, where requests are the first
 * attempts recorded in the window (Finagle's default: 20 % of requests plus 10 retries per second
 * over 10 seconds). One budget is typically shared by every {@code Retry} and {@code Hedge} that
 * calls the same dependency.
 *
 * <pre>{@code
 * RetryBudget budget = RetryBudget.builder().ratio(0.1).minRetriesPerSecond(5).build();
 * Retry retry = Retry.builder("quotes").budget(budget).build();
 * }</pre>
 *
 * <p><b>One request per logical call.</b> A {@code Retry} or {@code Hedge} records one request per
 * call it runs, and takes one token per retry or extra attempt. When such policies are nested and
 * share this budget ({@code Pipeline.of(retry, hedge)}, {@code Pipeline.of(hedge, retry)}, two
 * retries), only the outermost records the call's request: the inner ones see that the current
 * thread (or, for a hedge's attempts, the thread that started them) is already inside a call
 * recorded on this budget. Their retries and extra attempts still each take a token, since each is
 * real extra load. Policies on different budgets each record on their own. A direct {@link
 * #recordRequest()} always records; code that calls it itself decides what a request is. Calls a
 * {@code FanOut} starts are separate requests.
 *
 * <p><b>Design.</b> The window is cut into ten slots; each holds the number of requests and, in a
 * second array, of retries recorded in it, tagged with the slot's epoch (40 bits: a 1 ms slot
 * repeats its tag only after 34 years), so a stale slot reads as empty and is reset on its next use
 * — time moves lazily, with no timer. {@link #recordRequest()} is the hot path (once per call) and
 * is a single compare-and-set. {@link #tryAcquireRetry()} runs only after a failure; it takes a
 * lock so that two racing retries cannot both take the last token, which keeps the bound exact
 * under contention. A slot holds up to 16.7 million of each count; a request past that is not
 * counted (fewer retries, never more), and a retry past it is denied.
 */
public final class RetryBudget {

  private static final int SLOTS = 10;
  private static final int COUNT_BITS = 24;
  private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
  private static final long EPOCH_MASK = (1L << (64 - COUNT_BITS)) - 1;

  /**
   * The configuration of a budget, as built.
   *
   * @param ratio the share of requests that may be retried, in [0, 1]
   * @param minRetriesPerSecond retries allowed per second whatever the traffic
   * @param window the span over which requests and retries are counted
   */
  public record Config(double ratio, int minRetriesPerSecond, Duration window) {}

  private final Config config;
  private final TimeSource time;
  private final long slotNanos;
  private final long origin; // readings are taken relative to it, so wrap-around is harmless
  private final long floor;
  // per slot: epoch (40 bits) | count (24 bits)
  private final AtomicLongArray requests = new AtomicLongArray(SLOTS);
  private final AtomicLongArray retries = new AtomicLongArray(SLOTS);
  private final ReentrantLock retryLock = new ReentrantLock();
  private final OutcomeCounter<BudgetOutcome> counts = new OutcomeCounter<>(BudgetOutcome.class);

  private RetryBudget(Builder b) {
    this.config = new Config(b.ratio, b.minRetriesPerSecond, b.window);
    this.time = b.timeSource;
    this.slotNanos = Math.max(1, b.window.toNanos() / SLOTS);
    this.floor = (long) Math.floor(b.minRetriesPerSecond * (b.window.toNanos() / 1e9));
    this.origin = time.nanoTime();
    long epoch = epoch(origin);
    for (int i = 0; i < SLOTS; i++) {
      requests.set(i, pack(epoch - SLOTS, 0)); // all stale: an empty window
      retries.set(i, pack(epoch - SLOTS, 0));
    }
  }

  /**
   * Starts a budget with Finagle's defaults: ratio 0.2, 10 retries per second, a 10 s window.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns this budget's configuration.
   *
   * @return the configuration as built
   */
  public Config config() {
    return config;
  }

  /**
   * Records a first attempt (a request); each adds {@code ratio} of a retry to the budget. It
   * always records; the policies skip it for a call an enclosing policy on this budget recorded.
   */
  public void recordRequest() {
    add(requests, epoch(time.nanoTime()));
  }

  /**
   * Takes one retry from the budget if it has one.
   *
   * @return true if the retry may go ahead, false if the budget is spent
   */
  public boolean tryAcquireRetry() {
    retryLock.lock();
    try {
      long epoch = epoch(time.nanoTime());
      boolean granted = retriesLeft(epoch) > 0 && add(retries, epoch);
      counts.increment(granted ? BudgetOutcome.GRANTED : BudgetOutcome.DENIED);
      return granted;
    } finally {
      retryLock.unlock();
    }
  }

  /**
   * Gives back a retry that {@link #tryAcquireRetry()} granted but that never started, for example
   * because the thread that was to run it could not be started. The budget then reads as if the
   * retry had not been taken. Call it at most once per granted retry, and only for one that did not
   * happen: a retry that reached the dependency must stay counted.
   *
   * <p>The most recent retry still in the window is given back; if none is (the window has moved
   * past it), nothing changes, so a refund can never make the budget larger than an unused one.
   */
  public void refundRetry() {
    retryLock.lock();
    try {
      long epoch = epoch(time.nanoTime());
      for (int back = 0; back < SLOTS; back++) {
        int index = (int) Math.floorMod(epoch - back, (long) SLOTS);
        long s = retries.get(index); // only written under retryLock: a plain write is enough
        if (epochOf(s) == ((epoch - back) & EPOCH_MASK) && countOf(s) > 0) {
          retries.set(index, s - 1);
          return;
        }
      }
    } finally {
      retryLock.unlock();
    }
  }

  /**
   * Returns how many retries the budget would allow right now.
   *
   * @return the retries left in the current window, zero or more
   */
  public long available() {
    return Math.max(0, retriesLeft(epoch(time.nanoTime())));
  }

  /**
   * Returns the running totals of the retries this budget granted and denied. They count only once
   * {@link CallCounts#start() started} (a metrics binding starts them).
   *
   * @return the counts
   */
  public CallCounts<BudgetOutcome> callCounts() {
    return counts;
  }

  private long retriesLeft(long epoch) {
    return (long) Math.floor(config.ratio * inWindow(requests, epoch))
        + floor
        - inWindow(retries, epoch);
  }

  private static long inWindow(AtomicLongArray counts, long epoch) {
    long sum = 0;
    for (int i = 0; i < SLOTS; i++) {
      long s = counts.get(i);
      if (((epoch - epochOf(s)) & EPOCH_MASK) < SLOTS) {
        sum += countOf(s);
      }
    }
    return sum;
  }

  /** Adds one to the slot of {@code epoch}; false if the slot's count is full. */
  private static boolean add(AtomicLongArray counts, long epoch) {
    int index = (int) Math.floorMod(epoch, (long) SLOTS);
    while (true) {
      long s = counts.get(index);
      long next;
      if (epochOf(s) == (epoch & EPOCH_MASK)) {
        if (countOf(s) == COUNT_MASK) {
          return false;
        }
        next = s + 1;
      } else {
        next = pack(epoch, 1); // the slot is stale: start it afresh
      }
      if (counts.compareAndSet(index, s, next)) {
        return true;
      }
    }
  }

  private long epoch(long nanos) {
    return Math.floorDiv(nanos - origin, slotNanos);
  }

  private static long pack(long epoch, long count) {
    return ((epoch & EPOCH_MASK) << COUNT_BITS) | count;
  }

  /** The slot's epoch, in the same masked form that {@link #pack} stores. */
  private static long epochOf(long slot) {
    return slot >>> COUNT_BITS;
  }

  private static long countOf(long slot) {
    return slot & COUNT_MASK;
  }

  @Override
  public String toString() {
    return "RetryBudget[" + config + "]";
  }

  /** Builds a {@link RetryBudget}; {@link #build()} validates every setting. */
  public static final class Builder {
    private double ratio = 0.2;
    private int minRetriesPerSecond = 10;
    private Duration window = Duration.ofSeconds(10);
    private TimeSource timeSource = TimeSource.system();

    private Builder() {}

    /**
     * Sets the share of requests that may be retried (default 0.2).
     *
     * @param ratio in [0, 1]
     * @return this builder
     */
    public Builder ratio(double ratio) {
      this.ratio = ratio;
      return this;
    }

    /**
     * Sets the retries allowed per second whatever the traffic, so that a quiet client can still
     * retry (default 10).
     *
     * @param minRetriesPerSecond zero or more
     * @return this builder
     */
    public Builder minRetriesPerSecond(int minRetriesPerSecond) {
      this.minRetriesPerSecond = minRetriesPerSecond;
      return this;
    }

    /**
     * Sets the span over which requests and retries are counted (default 10 s).
     *
     * @param window at least 10 ms, at most about 292 years
     * @return this builder
     */
    public Builder window(Duration window) {
      this.window = window;
      return this;
    }

    /**
     * Sets the time source (default {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Validates the settings and builds the budget.
     *
     * @return the budget
     * @throws IllegalArgumentException if {@code ratio} is outside [0, 1], {@code
     *     minRetriesPerSecond} is negative, or {@code window} is shorter than 10 ms or longer than
     *     about 292 years
     * @throws NullPointerException if {@code window} or {@code timeSource} is null
     */
    public RetryBudget build() {
      Checks.inRange(ratio, 0, true, 1, true, "ratio");
      Checks.atLeast(minRetriesPerSecond, 0, "minRetriesPerSecond");
      Checks.notNull(window, "window");
      Checks.notNull(timeSource, "timeSource");
      Checks.require(
          window.compareTo(Duration.ofMillis(10)) >= 0,
          "window must be at least 10ms, was " + Durations.format(window));
      Duration longest = Duration.ofNanos(Long.MAX_VALUE);
      Checks.require(
          window.compareTo(longest) <= 0,
          "window must be at most "
              + Durations.format(longest)
              + " (the range of nanoseconds), was "
              + Durations.format(window));
      return new RetryBudget(this);
    }
  }
}
