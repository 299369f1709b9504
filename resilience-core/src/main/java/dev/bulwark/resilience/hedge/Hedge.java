package dev.bulwark.resilience.hedge;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Exceptions;
import dev.bulwark.resilience.internal.Listeners;
import dev.bulwark.resilience.internal.RecordedRequests;
import dev.bulwark.resilience.retry.RetryBudget;
import dev.bulwark.resilience.timeout.Deadline;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Hedged requests, for idempotent calls: if no attempt has succeeded after a delay, start another
 * one, and take whichever succeeds first.
 *
 * <pre>{@code
 * Hedge hedge = Hedge.builder("quotes")
 *     .delayAtPercentile(95, Duration.ofMillis(50)) // 50 ms until it has measured enough calls
 *     .maxExtraAttempts(1)
 *     .budget(retryBudget)                          // shared with the Retry of the same upstream
 *     .build();
 * Quote quote = hedge.call(() -> upstream.fetchQuote(symbol));
 * }</pre>
 *
 * <p>The delay is fixed, or the given percentile of the latencies this hedge has measured (the last
 * 128 calls; a fixed fallback until 20 are known). Hedging at the 95th percentile bounds the extra
 * load to about 5 % ("The Tail at Scale"). A {@link RetryBudget}, when given, records every call as
 * a request and must grant a token for every extra attempt; a denied one is not started (and no
 * more are for that call), which a {@link HedgeEvent.BudgetDenied} event reports. An extra attempt
 * whose thread cannot be started (the thread factory throws or returns null, or the thread refuses
 * to start) gives its token back, and no more are started for that call. Inside a {@code Retry} or
 * another hedge on the same budget (for example {@code Pipeline.of(retry, hedge)}) the call's
 * request is recorded once, by the outermost of them; the attempts carry this over to their
 * threads, so a {@code Retry} inside the hedge records no request of its own either (see {@link
 * RetryBudget}).
 *
 * <p><b>Threads.</b> Every attempt, the first included, runs on a thread of its own (virtual unless
 * a {@link Builder#threadFactory(ThreadFactory) factory} is given) while the caller's thread waits.
 * That is the price of the promise that matters here: the caller returns as soon as one attempt
 * succeeds, however long the others take to notice that they were interrupted. The attempts see the
 * caller's {@link Deadline#current()}, but not its other thread-locals.
 *
 * <p><b>Outcomes.</b> The first success wins; the other attempts are interrupted and their results
 * dropped. Hedging is about slowness, not failure: a failed attempt does not start another (put a
 * {@code Retry} around the hedge for that). When every attempt that started has failed, the last
 * failure to arrive is thrown unchanged, checked ones included, unless an attempt threw an {@link
 * Error}: then the first such Error is thrown, so that a later exception cannot hide it. If the
 * caller's thread is interrupted while it waits, every attempt is interrupted, the caller's
 * interrupt status is restored and a {@link CancellationException} is thrown.
 */
public final class Hedge implements Policy, EventSource<HedgeEvent> {

  /**
   * The configuration of a hedge, as built.
   *
   * @param delay the fixed delay, or the fallback delay when a percentile is set
   * @param percentile the percentile of recent latencies used as the delay, if set
   * @param maxExtraAttempts the most attempts started besides the first
   * @param budget the retry budget extra attempts draw on, if any
   */
  public record Config(
      Duration delay,
      OptionalDouble percentile,
      int maxExtraAttempts,
      Optional<RetryBudget> budget) {}

  private final String name;
  private final Config config;
  private final TimeSource time;
  private final ThreadFactory threadFactory;
  private final ContextPropagator contextPropagator;
  private final RetryBudget budget;
  private final long fixedDelayNanos;
  private final LatencyWindow latencies;
  private final Listeners<HedgeEvent> listeners;

  private Hedge(Builder b) {
    this.name = b.name;
    this.config =
        new Config(
            b.delay,
            Double.isNaN(b.percentile) ? OptionalDouble.empty() : OptionalDouble.of(b.percentile),
            b.maxExtraAttempts,
            Optional.ofNullable(b.budget));
    this.time = b.timeSource;
    this.threadFactory =
        b.threadFactory != null
            ? b.threadFactory
            : Thread.ofVirtual().name("bulwark-hedge-" + b.name + "-", 0).factory();
    this.budget = b.budget;
    this.contextPropagator = b.contextPropagator;
    this.fixedDelayNanos = Durations.saturatedNanos(b.delay);
    this.latencies =
        Double.isNaN(b.percentile) ? null : new LatencyWindow(b.percentile, fixedDelayNanos);
    this.listeners = new Listeners<>("hedge '" + b.name + "'");
  }

  /**
   * Starts a hedge builder. The delay must be set, fixed or as a percentile.
   *
   * @param name the policy's name, carried by its events and thread names
   * @return a builder; {@link Builder#build()} validates every setting, the name included
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Returns this hedge's configuration.
   *
   * @return the configuration as built
   */
  public Config config() {
    return config;
  }

  /**
   * Returns the delay after which the next call would start an extra attempt: the fixed delay, or
   * the percentile of the recent latencies (the fallback until enough are measured).
   *
   * @return the current delay
   */
  public Duration currentDelay() {
    return Duration.ofNanos(delayNanos());
  }

  private long delayNanos() {
    return latencies == null ? fixedDelayNanos : latencies.delayNanos();
  }

  @Override
  public Subscription subscribe(Consumer<? super HedgeEvent> listener) {
    return listeners.subscribe(listener);
  }

  /**
   * Runs {@code call}, hedged: more attempts start while none has succeeded, up to the limit.
   * {@code call} must be idempotent and safe to run on several threads at once.
   *
   * @throws X the last failure, unchanged, if every attempt that started failed (the first {@link
   *     Error} instead, if an attempt threw one)
   * @throws CancellationException if the caller's thread was interrupted while it waited; the
   *     attempts are interrupted and the interrupt status is restored
   * @throws NullPointerException if {@code call} is null
   */
  @Override
  public <T, X extends Exception> T call(Call<T, X> call) throws X {
    Checks.notNull(call, "call");
    if (budget == null || !RecordedRequests.begin(budget)) {
      return new Attempts<T>(call, Deadline.current().orElse(null)).run();
    }
    budget.recordRequest();
    try {
      return new Attempts<T>(call, Deadline.current().orElse(null)).run();
    } finally {
      RecordedRequests.end(budget);
    }
  }

  /**
   * The attempts of one call.
   *
   * <p>The caller's thread holds the lock except while it waits on {@code changed}, through the
   * time source, for the next hedge to fall due or an attempt to finish. Attempt threads take the
   * lock only to record their result and signal. After the call is decided ({@code decided}), late
   * results are dropped.
   */
  private final class Attempts<T> {
    private final Call<T, ?> call;
    private final Deadline deadline;
    private final ContextPropagator.Snapshot context = contextPropagator.capture();
    private final Object[] recorded = RecordedRequests.carried(); // budgets of this logical call
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread[] threads = new Thread[1 + config.maxExtraAttempts];
    private final boolean[] finished = new boolean[threads.length];
    private final long begin = time.nanoTime();
    // guarded by lock
    private int started;
    private int running;
    private boolean decided;
    private int winner = -1;
    private T value;
    private long wonAt;
    private Throwable lastFailure;

    Attempts(Call<T, ?> call, Deadline deadline) {
      this.call = call;
      this.deadline = deadline;
    }

    <X extends Exception> T run() throws X {
      long delay = delayNanos();
      lock.lock();
      try {
        start(0); // a failure to start the first attempt propagates as it is
        long nextHedgeAt = begin + delay;
        boolean hedging = threads.length > 1;
        while (winner < 0 && running > 0) {
          if (!hedging || started == threads.length) {
            changed.await();
            continue;
          }
          long now = time.nanoTime();
          long wait = nextHedgeAt - now;
          if (wait > 0) {
            time.awaitNanos(lock, changed, wait);
            continue;
          }
          int attempt = started + 1;
          if (budget != null && !budget.tryAcquireRetry()) {
            hedging = false;
            publishUnlocked(new HedgeEvent.BudgetDenied(name, attempt));
            continue;
          }
          try {
            start(started);
          } catch (RuntimeException | Error e) {
            if (budget != null) {
              budget.refundRetry(); // the attempt never started: it must not cost a token
            }
            hedging = false; // cannot start threads: make do with the attempts running
            continue;
          }
          nextHedgeAt = now + delay;
          publishUnlocked(
              new HedgeEvent.HedgeStarted(name, attempt, Duration.ofNanos(now - begin)));
        }
        decided = true;
        interruptRunning();
      } catch (InterruptedException e) {
        decided = true;
        interruptRunning();
        throw Exceptions.interrupted(
            "hedge '"
                + name
                + "' was interrupted while it waited for its attempts; they were interrupted too",
            e);
      } finally {
        lock.unlock();
      }
      // decided: no attempt thread writes the fields below any more
      if (winner >= 0) {
        if (latencies != null) {
          latencies.record(wonAt - begin);
        }
        if (!listeners.isEmpty()) {
          listeners.publish(
              new HedgeEvent.Succeeded(
                  name, winner + 1, started, Duration.ofNanos(time.nanoTime() - begin)));
        }
        return value;
      }
      if (!listeners.isEmpty()) {
        listeners.publish(
            new HedgeEvent.Failed(
                name, started, lastFailure, Duration.ofNanos(time.nanoTime() - begin)));
      }
      throw Exceptions.<X>rethrow(lastFailure);
    }

    private void start(int index) {
      Thread thread = threadFactory.newThread(() -> attempt(index));
      Checks.notNull(thread, "threadFactory returned null");
      threads[index] = thread;
      started++;
      running++;
      try {
        thread.start();
      } catch (RuntimeException | Error e) {
        threads[index] = null;
        started--;
        running--;
        throw e;
      }
    }

    private void interruptRunning() {
      for (int i = 0; i < started; i++) {
        if (!finished[i] && threads[i] != null) {
          threads[i].interrupt();
        }
      }
    }

    private void attempt(int index) {
      T result = null;
      Throwable failure = null;
      int adopted = RecordedRequests.adopt(recorded); // nested retries: the same logical call
      ContextPropagator.Scope scope = null;
      try {
        scope = context.restore();
        result = deadline == null ? call.call() : deadline.callAsCurrent(call);
      } catch (Throwable t) {
        failure = t;
      } finally {
        if (scope != null) {
          scope.close();
        }
        RecordedRequests.drop(adopted);
      }
      long now = failure == null ? time.nanoTime() : 0;
      lock.lock();
      try {
        finished[index] = true;
        running--;
        if (!decided) {
          if (failure == null) {
            if (winner < 0) {
              winner = index;
              value = result;
              wonAt = now;
            }
          } else if (!(lastFailure instanceof Error)) {
            lastFailure = failure; // an Error (the JVM or the call is broken) is never hidden
          }
        }
        changed.signal();
      } finally {
        lock.unlock();
      }
    }

    private void publishUnlocked(HedgeEvent event) {
      if (listeners.isEmpty()) {
        return;
      }
      lock.unlock();
      try {
        listeners.publish(event);
      } finally {
        lock.lock();
      }
    }
  }

  @Override
  public String toString() {
    return "Hedge["
        + name
        + ", delay="
        + (latencies == null
            ? Durations.format(config.delay)
            : "p"
                + config.percentile.getAsDouble()
                + " (now "
                + Durations.format(currentDelay())
                + ")")
        + ", maxExtraAttempts="
        + config.maxExtraAttempts
        + "]";
  }

  /** Builds a {@link Hedge}; {@link #build()} validates every setting. */
  public static final class Builder {
    private final String name;
    private Duration delay;
    private boolean delaySet;
    private double percentile = Double.NaN;
    private boolean byPercentile;
    private int maxExtraAttempts = 1;
    private RetryBudget budget;
    private boolean budgetSet;
    private ThreadFactory threadFactory;
    private boolean threadFactorySet;
    private TimeSource timeSource = TimeSource.system();
    private ContextPropagator contextPropagator = ContextPropagator.none();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets a fixed delay before each extra attempt; replaces a percentile set earlier.
     *
     * @param delay zero or more; zero starts every attempt at once
     * @return this builder
     */
    public Builder delay(Duration delay) {
      this.delay = delay;
      this.delaySet = true;
      this.percentile = Double.NaN;
      this.byPercentile = false;
      return this;
    }

    /**
     * Sets the delay to a percentile of the latencies this hedge measures (the time to the first
     * success, over the last 128 calls); until 20 calls have succeeded, {@code fallbackDelay} is
     * used. Replaces a fixed delay set earlier.
     *
     * @param percentile in (0, 100], for example 95
     * @param fallbackDelay zero or more, the delay until enough latencies are known
     * @return this builder
     */
    public Builder delayAtPercentile(double percentile, Duration fallbackDelay) {
      this.percentile = percentile;
      this.delay = fallbackDelay;
      this.delaySet = true;
      this.byPercentile = true;
      return this;
    }

    /**
     * Sets the most attempts started besides the first (default 1).
     *
     * @param maxExtraAttempts at least 1
     * @return this builder
     */
    public Builder maxExtraAttempts(int maxExtraAttempts) {
      this.maxExtraAttempts = maxExtraAttempts;
      return this;
    }

    /**
     * Sets a retry budget: each call records a request, each extra attempt needs a token.
     *
     * @param budget the budget, typically shared with the {@code Retry} of the same upstream
     * @return this builder
     */
    public Builder budget(RetryBudget budget) {
      this.budget = budget;
      this.budgetSet = true;
      return this;
    }

    /**
     * Sets the factory of the threads that run the attempts (default: virtual threads named {@code
     * bulwark-hedge-<name>-<n>}).
     *
     * @param threadFactory the factory; each thread it makes runs one attempt
     * @return this builder
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = threadFactory;
      this.threadFactorySet = true;
      return this;
    }

    /**
     * Sets the time source for delays and latencies (default {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Sets what carries the caller's thread context (a logging MDC, a trace span, a {@link
     * ThreadLocal}) to the threads that run the attempts (default {@link
     * ContextPropagator#none()}): captured once per call on the caller's thread, restored around
     * each attempt on its own thread.
     *
     * @param contextPropagator the propagator
     * @return this builder
     */
    public Builder contextPropagator(ContextPropagator contextPropagator) {
      this.contextPropagator = contextPropagator;
      return this;
    }

    /**
     * Validates the settings and builds the hedge.
     *
     * @return the hedge
     * @throws IllegalStateException if no delay was set ({@code delay is required: set it with
     *     .delay(Duration) or .delayAtPercentile(double, Duration)})
     * @throws IllegalArgumentException if the name is blank, the delay is negative, the percentile
     *     is outside (0, 100], or {@code maxExtraAttempts} is less than 1
     * @throws NullPointerException if the name or any setting given is null
     */
    public Hedge build() {
      Checks.name(name);
      Checks.required(
          delaySet, "delay", ".delay(Duration) or .delayAtPercentile(double, Duration)");
      if (!byPercentile) {
        Checks.nonNegative(delay, "delay");
      } else {
        Checks.inRange(percentile, 0, false, 100, true, "percentile");
        Checks.nonNegative(delay, "fallbackDelay");
      }
      Checks.atLeast(maxExtraAttempts, 1, "maxExtraAttempts");
      if (budgetSet) {
        Checks.notNull(budget, "budget");
      }
      if (threadFactorySet) {
        Checks.notNull(threadFactory, "threadFactory");
      }
      Checks.notNull(timeSource, "timeSource");
      Checks.notNull(contextPropagator, "contextPropagator");
      return new Hedge(this);
    }
  }
}
