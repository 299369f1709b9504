package dev.bulwark.resilience.retry;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.CallCounts;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.internal.Chain;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Exceptions;
import dev.bulwark.resilience.internal.Listeners;
import dev.bulwark.resilience.internal.OutcomeCounter;
import dev.bulwark.resilience.internal.PipelineStep;
import dev.bulwark.resilience.internal.RecordedRequests;
import dev.bulwark.resilience.timeout.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Runs a call again when it fails, waiting between attempts as a {@link Backoff} says, within a
 * number of attempts, a total duration and, optionally, a shared {@link RetryBudget}.
 *
 * <pre>{@code
 * Retry retry = Retry.builder("quotes")
 *     .maxAttempts(4)
 *     .maxDuration(Duration.ofSeconds(2))
 *     .backoff(Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1))
 *         .jitter(Jitter.full()).build())
 *     .retryOn(IOException.class)
 *     .budget(budget)
 *     .build();
 * Quote quote = retry.call(() -> upstream.fetchQuote(symbol)); // throws IOException as is
 * }</pre>
 *
 * <p><b>What is retried.</b> By default every {@link Exception}, refusals of inner policies
 * included. A {@link java.util.concurrent.CompletionException} or {@link
 * java.util.concurrent.ExecutionException} is judged by its cause (unwrapped while it is one of the
 * two, as resilience4j does): {@code retryOn(IOException.class)} retries a {@code
 * CompletionException} caused by an {@code IOException}, and a wrapped refusal's {@code retryAfter}
 * is honoured. What is rethrown is still the failure as thrown, wrapper included. {@link
 * Builder#retryOn(Class[])} narrows this to some exception types and {@link
 * Builder#retryIf(Predicate)} to those a predicate accepts; when both are set, both must agree.
 * Never retried, whatever the settings: an {@link Error} (the JVM is in trouble), and an {@link
 * InterruptedException} (someone wants the thread to stop). With {@link
 * Builder#retryOnResult(Predicate)} a returned result can be retried too; when the attempts run out
 * on such a result, the call <em>returns</em> that last result, as the bare call would have.
 *
 * <p><b>How long it waits.</b> Each call draws a fresh delay sequence from the backoff. When an
 * attempt fails with a {@link RejectedException} that has a {@link RejectedException#retryAfter()
 * retryAfter}, the next wait is at least that long, since trying earlier would only be refused
 * again, but only up to {@link Builder#maxRetryAfter(Duration) maxRetryAfter} (default 1 s): a
 * refusal that asks for a longer wait is rethrown at once. So a rate limiter's short waits are
 * waited out, while an open circuit breaker's (seconds to minutes) makes the call fail fast instead
 * of sleeping through the whole open period.
 *
 * <p><b>When it stops.</b> The retry rethrows the last failure unchanged (the same instance,
 * checked exceptions included), or returns the last rejected result, as soon as one of these holds:
 *
 * <ul>
 *   <li>the failure is not retryable;
 *   <li>{@code maxAttempts} attempts have been made;
 *   <li>the failure is a refusal whose {@code retryAfter} exceeds {@code maxRetryAfter};
 *   <li>the next attempt could not start before the deadline: the earlier of {@code maxDuration}
 *       after the call began and the {@link Deadline#current() deadline} of an enclosing {@code
 *       Timeout}. The retry never sleeps past the deadline: if the next wait would reach it, it
 *       gives up at once instead of sleeping uselessly;
 *   <li>the {@link RetryBudget} denies the retry: then a {@link RetryBudgetExhaustedException} is
 *       attached to the rethrown failure as a {@linkplain Throwable#getSuppressed() suppressed}
 *       exception (once: a failure that already carries one is left as it is; an exception built
 *       with suppression disabled carries none), and a {@link RetryEvent.BudgetExhausted} event is
 *       published;
 *   <li>the thread is interrupted, before or while it waits: the retry stops, keeps or sets the
 *       thread's interrupt status again (so that the caller still sees it) and rethrows the last
 *       failure.
 * </ul>
 *
 * <p><b>Cost.</b> When the first attempt succeeds and nobody listens, a call allocates nothing: the
 * delay sequence, the deadline lookup and the events are made only after a failure. It reads the
 * clock once if {@code maxDuration} is set, and records one request if a budget is set (a thread's
 * first call with a budget allocates the small per-thread table that keeps nested policies on the
 * same budget from recording the call twice; later calls on that thread allocate nothing).
 *
 * <p><b>One request per logical call.</b> With a budget, a call records one request, and each retry
 * takes one token. When this retry runs inside another {@code Retry} or {@code Hedge} on the same
 * budget (for example {@code Pipeline.of(retry, hedge)} or a hedge's attempts running a retry), the
 * outermost of them has recorded the call's request already, so this one records none: the budget
 * counts logical calls, not the attempts of inner policies. See {@link RetryBudget}.
 *
 * <p>A retry is immutable and thread-safe; share one instance per dependency.
 */
public final class Retry extends PipelineStep implements Policy, EventSource<RetryEvent> {

  /*
   * The loop, and why it is shaped so.
   *
   * call() runs the first attempt inline: if it succeeds (and its result is accepted) it returns
   * with no allocation, so a retry costs next to nothing on a healthy dependency. Only a failure
   * enters retryLoop(), which owns everything a retry needs: the backoff sequence (decorrelated
   * jitter depends on the previous delay of the same loop, so a sequence is per call), the
   * enclosing deadline (read once; a Timeout's deadline does not change during its call) and the
   * attempt counter.
   *
   * Before each wait the loop decides in this order: is the outcome retryable; are attempts left;
   * does the wait (backoff delay, raised to an inner refusal's retryAfter) end before the
   * deadline; is the thread still uninterrupted; does the budget allow it. The budget comes last
   * so that a retry that would not happen anyway does not spend a token that another caller could
   * use.
   */

  private static final Predicate<Object> NO_RESULT_IS_RETRIED = result -> false;
  private static final Predicate<Exception> EVERY_EXCEPTION = failure -> true;
  private static final List<Class<? extends Exception>> ANY_EXCEPTION = List.of(Exception.class);
  private static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(1);

  /**
   * The configuration of a retry, as built.
   *
   * @param maxAttempts the most attempts per call, first included
   * @param maxDuration the most time a call may take, waits included, if bounded
   * @param backoff the delays between attempts
   * @param retryOn the exception types that are retried
   * @param retryIf the predicate an exception must also pass to be retried
   * @param retryOnResult the predicate that marks a returned result for a retry
   * @param budget the budget that retries draw on, if any
   * @param maxRetryAfter the longest {@code retryAfter} of a refusal that the retry waits for
   */
  public record Config(
      int maxAttempts,
      Optional<Duration> maxDuration,
      Backoff backoff,
      List<Class<? extends Exception>> retryOn,
      Predicate<? super Exception> retryIf,
      Predicate<Object> retryOnResult,
      Optional<RetryBudget> budget,
      Duration maxRetryAfter) {}

  private final String name;
  private final Config config;
  private final int maxAttempts;
  private final long maxDurationNanos; // Long.MAX_VALUE: unbounded
  private final Backoff backoff;
  private final List<Class<? extends Exception>> retryOn;
  private final Predicate<? super Exception> retryIf;
  private final Predicate<Object> retryOnResult;
  private final RetryBudget budget; // null: none
  private final long maxRetryAfterNanos;
  private final TimeSource time;
  private final Listeners<RetryEvent> listeners;
  private final OutcomeCounter<RetryOutcome> counts = new OutcomeCounter<>(RetryOutcome.class);

  private Retry(Builder b) {
    this.name = b.name;
    this.maxAttempts = b.maxAttempts;
    this.maxDurationNanos =
        b.maxDuration == null ? Long.MAX_VALUE : Durations.saturatedNanos(b.maxDuration);
    this.backoff = b.backoff;
    this.retryOn = List.copyOf(b.retryOn);
    this.retryIf = b.retryIf;
    this.retryOnResult = b.retryOnResult;
    this.budget = b.budget;
    this.maxRetryAfterNanos = Durations.saturatedNanos(b.maxRetryAfter);
    this.time = b.timeSource;
    this.config =
        new Config(
            b.maxAttempts,
            Optional.ofNullable(b.maxDuration),
            b.backoff,
            this.retryOn,
            b.retryIf,
            b.retryOnResult,
            Optional.ofNullable(b.budget),
            b.maxRetryAfter);
    this.listeners = new Listeners<>("retry '" + name + "'");
  }

  /**
   * Starts a retry with resilience4j's defaults: 3 attempts, a fixed 500 ms wait, every exception
   * retried, no duration bound, no budget, the system time source.
   *
   * @param name the name that events and refusals carry
   * @return a builder; {@link Builder#build()} validates
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Returns this retry's configuration.
   *
   * @return the configuration as built
   */
  public Config config() {
    return config;
  }

  /**
   * Returns the running totals of this retry's calls by outcome. They count only once {@link
   * CallCounts#start() started} (a metrics binding starts them).
   *
   * @return the counts
   */
  public CallCounts<RetryOutcome> callCounts() {
    return counts;
  }

  @Override
  public Subscription subscribe(Consumer<? super RetryEvent> listener) {
    return listeners.subscribe(listener);
  }

  /**
   * Runs {@code call}, retrying it as configured.
   *
   * @return the result of the first accepted attempt, or the last result if every attempt's result
   *     was rejected by the result predicate
   * @throws X the last failure of the call, unchanged
   * @throws NullPointerException if {@code call} is null
   */
  @Override
  public <T, X extends Exception> T call(Call<T, X> call) throws X {
    Checks.notNull(call, "call");
    return callAround(Chain.DIRECT, call);
  }

  /** Runs this policy around the rest of a pipeline (see {@link PipelineStep}). */
  @Override
  protected <T, X extends Exception> T callAround(Chain rest, Call<T, X> call) throws X {
    if (budget == null || !RecordedRequests.begin(budget)) {
      return attempts(rest, call); // no budget, or an enclosing policy recorded the request
    }
    budget.recordRequest();
    try {
      return attempts(rest, call);
    } finally {
      RecordedRequests.end(budget);
    }
  }

  /** The first attempt, inline, and the retry loop if it fails. */
  private <T, X extends Exception> T attempts(Chain rest, Call<T, X> call) throws X {
    long start = maxDurationNanos == Long.MAX_VALUE ? 0L : time.nanoTime();
    T result;
    try {
      result = rest.proceed(call);
    } catch (Throwable failure) {
      return retryLoop(rest, call, start, null, failure);
    }
    if (retryOnResult != NO_RESULT_IS_RETRIED && retryOnResult.test(result)) {
      return retryLoop(rest, call, start, result, null);
    }
    counts.increment(RetryOutcome.SUCCESS_WITHOUT_RETRY);
    if (!listeners.isEmpty()) {
      listeners.publish(new RetryEvent.Succeeded(name, 1));
    }
    return result;
  }

  /** Retries after a first attempt that threw {@code failure} or returned a rejected result. */
  private <T, X extends Exception> T retryLoop(
      Chain rest, Call<T, X> call, long start, T result, Throwable failure) throws X {
    Backoff.Sequence delays = backoff.sequence();
    Deadline deadline = Deadline.current().orElse(null);
    int attempt = 1;
    while (true) {
      if (failure != null && !isRetryable(failure)) {
        return giveUp(attempt, result, failure, RetryEvent.Failed.Reason.NOT_RETRYABLE);
      }
      if (attempt >= maxAttempts) {
        return giveUp(attempt, result, failure, RetryEvent.Failed.Reason.ATTEMPTS_EXHAUSTED);
      }
      long delay = delays.nextNanos();
      if (failure != null && Exceptions.classified(failure) instanceof RejectedException refusal) {
        long hint = refusal.retryAfter().map(Durations::saturatedNanos).orElse(0L);
        if (hint > maxRetryAfterNanos) {
          return giveUp(attempt, result, failure, RetryEvent.Failed.Reason.RETRY_AFTER_TOO_LONG);
        }
        delay = Math.max(delay, hint);
      }
      if (delay >= nanosLeft(start, deadline)) {
        return giveUp(attempt, result, failure, RetryEvent.Failed.Reason.DEADLINE);
      }
      if (Thread.currentThread().isInterrupted()) {
        // The sleep would throw at once: stop before a budget token is spent on a retry that will
        // not happen, or a Retrying event announces one. The interrupt status stays set.
        return giveUp(attempt, result, failure, RetryEvent.Failed.Reason.INTERRUPTED);
      }
      if (budget != null && !budget.tryAcquireRetry()) {
        if (failure != null && !carriesBudgetRefusal(failure)) {
          failure.addSuppressed(new RetryBudgetExhaustedException(name));
        }
        if (!listeners.isEmpty()) {
          listeners.publish(new RetryEvent.BudgetExhausted(name, attempt, failure));
        }
        return giveUp(attempt, result, failure, RetryEvent.Failed.Reason.BUDGET_EXHAUSTED);
      }
      if (!listeners.isEmpty()) {
        listeners.publish(new RetryEvent.Retrying(name, attempt, Duration.ofNanos(delay), failure));
      }
      try {
        time.sleep(Duration.ofNanos(delay));
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        return giveUp(attempt, result, failure, RetryEvent.Failed.Reason.INTERRUPTED);
      }
      attempt++;
      try {
        result = rest.proceed(call);
        failure = null;
      } catch (Throwable t) {
        result = null;
        failure = t;
        continue;
      }
      if (!retryOnResult.test(result)) {
        counts.increment(RetryOutcome.SUCCESS_WITH_RETRY);
        if (!listeners.isEmpty()) {
          listeners.publish(new RetryEvent.Succeeded(name, attempt));
        }
        return result;
      }
    }
  }

  /** Ends the loop: returns the last rejected result or rethrows the last failure as it is. */
  private <T, X extends Exception> T giveUp(
      int attempts, T result, Throwable failure, RetryEvent.Failed.Reason reason) throws X {
    counts.increment(
        attempts == 1 ? RetryOutcome.FAILURE_WITHOUT_RETRY : RetryOutcome.FAILURE_WITH_RETRY);
    if (!listeners.isEmpty()) {
      listeners.publish(new RetryEvent.Failed(name, attempts, failure, reason));
    }
    if (failure != null) {
      throw Exceptions.<X>rethrow(failure);
    }
    return result;
  }

  /**
   * True if the failure already carries a budget refusal: a call that throws one shared exception
   * instance (a constant) must not collect a new suppressed refusal on every denied retry.
   */
  private static boolean carriesBudgetRefusal(Throwable failure) {
    for (Throwable suppressed : failure.getSuppressed()) {
      if (suppressed instanceof RetryBudgetExhaustedException) {
        return true;
      }
    }
    return false;
  }

  private boolean isRetryable(Throwable thrown) {
    Throwable failure = Exceptions.classified(thrown);
    if (!(failure instanceof Exception exception) || failure instanceof InterruptedException) {
      return false;
    }
    for (Class<? extends Exception> type : retryOn) {
      if (type.isInstance(exception)) {
        return retryIf.test(exception);
      }
    }
    return false;
  }

  /** The time left until the earlier of maxDuration and the enclosing deadline. */
  private long nanosLeft(long start, Deadline deadline) {
    long left = Long.MAX_VALUE;
    if (maxDurationNanos != Long.MAX_VALUE) {
      left = maxDurationNanos - (time.nanoTime() - start);
    }
    if (deadline != null) {
      left = Math.min(left, deadline.remainingNanos());
    }
    return left;
  }

  @Override
  public String toString() {
    return "Retry[" + name + ", " + config + "]";
  }

  /** Builds a {@link Retry}; {@link #build()} validates every setting. */
  public static final class Builder {
    private final String name;
    private int maxAttempts = 3;
    private Duration maxDuration;
    private boolean maxDurationSet;
    private Backoff backoff = Backoff.fixed(Duration.ofMillis(500)).build();
    private List<Class<? extends Exception>> retryOn = ANY_EXCEPTION;
    private List<Class<? extends Exception>> retryOnGiven; // null elements allowed until build()
    private boolean retryOnIsNull;
    private Predicate<? super Exception> retryIf = EVERY_EXCEPTION;
    private Predicate<Object> retryOnResult = NO_RESULT_IS_RETRIED;
    private RetryBudget budget;
    private boolean budgetSet;
    private Duration maxRetryAfter = DEFAULT_MAX_RETRY_AFTER;
    private TimeSource timeSource = TimeSource.system();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets the most attempts per call, the first included (default 3, as in resilience4j); 1 means
     * no retry.
     *
     * @param maxAttempts at least 1
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Bounds the total time of a call, attempts and waits included (default: unbounded). The retry
     * never waits past this bound: if the next wait would reach it, the retry gives up at once with
     * the last failure. It does not interrupt an attempt that is running; a {@code Timeout} around
     * the retry does that.
     *
     * @param maxDuration positive
     * @return this builder
     */
    public Builder maxDuration(Duration maxDuration) {
      this.maxDuration = maxDuration;
      this.maxDurationSet = true;
      return this;
    }

    /**
     * Sets the delays between attempts (default {@code Backoff.fixed(500ms)}). Each call draws its
     * own sequence from it.
     *
     * @param backoff the backoff
     * @return this builder
     */
    public Builder backoff(Backoff backoff) {
      this.backoff = backoff;
      return this;
    }

    /**
     * Retries only exceptions of these types and their subtypes (default: every {@link Exception}).
     * Replaces the types set before.
     *
     * @param types one or more exception types
     * @return this builder
     */
    @SafeVarargs
    public final Builder retryOn(Class<? extends Exception>... types) {
      this.retryOn = null;
      this.retryOnIsNull = types == null;
      this.retryOnGiven = new ArrayList<>();
      if (types != null) {
        for (Class<? extends Exception> type : types) {
          retryOnGiven.add(type);
        }
      }
      return this;
    }

    /**
     * Retries only exceptions that this predicate accepts (default: all). Combined with {@link
     * #retryOn(Class[])}, an exception is retried when it has one of the types <em>and</em> passes
     * the predicate. It is never asked about an {@link Error} or an {@link InterruptedException}.
     *
     * @param retryIf the predicate
     * @return this builder
     */
    public Builder retryIf(Predicate<? super Exception> retryIf) {
      this.retryIf = retryIf;
      return this;
    }

    /**
     * Retries a call whose returned result this predicate accepts (default: no result is retried),
     * e.g. {@code result -> result instanceof Response r && r.status() == 503}. When the attempts
     * or the time run out on such a result, the call returns that last result.
     *
     * @param retryOnResult the predicate, given each result (possibly null)
     * @return this builder
     */
    public Builder retryOnResult(Predicate<Object> retryOnResult) {
      this.retryOnResult = retryOnResult;
      return this;
    }

    /**
     * Makes retries draw on a budget, typically shared by every retry and hedge that calls the same
     * dependency (default: none). Each call records one request (unless an enclosing retry or hedge
     * on the same budget has recorded it); each retry takes one token.
     *
     * @param budget the budget
     * @return this builder
     */
    public Builder budget(RetryBudget budget) {
      this.budget = budget;
      this.budgetSet = true;
      return this;
    }

    /**
     * Bounds how long the retry waits for a refusal's {@link RejectedException#retryAfter()
     * retryAfter} hint (default 1 s). A refusal whose hint is longer is rethrown at once, with a
     * {@link RetryEvent.Failed} of reason {@link RetryEvent.Failed.Reason#RETRY_AFTER_TOO_LONG};
     * one within the bound is waited out (the wait is the longer of the hint and the backoff's
     * delay). The default keeps a call that meets an open circuit breaker fast, and still waits out
     * a rate limiter's usual sub-second refills. Zero never waits for a hint.
     *
     * @param maxRetryAfter zero or more
     * @return this builder
     */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      this.maxRetryAfter = maxRetryAfter;
      return this;
    }

    /**
     * Sets the time source for the waits and the duration bound (default {@link
     * TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Validates the settings and builds the retry.
     *
     * @return the retry
     * @throws IllegalArgumentException if the name is blank, {@code maxAttempts} is less than 1,
     *     {@code maxDuration} is not positive, {@code maxRetryAfter} is negative, or {@code
     *     retryOn} names no type
     * @throws NullPointerException if the name or any setting given is null
     */
    public Retry build() {
      Checks.name(name);
      Checks.atLeast(maxAttempts, 1, "maxAttempts");
      if (maxDurationSet) {
        Checks.positive(maxDuration, "maxDuration");
      }
      Checks.notNull(backoff, "backoff");
      if (retryOn == null) {
        Checks.notNull(retryOnIsNull ? null : retryOnGiven, "retryOn");
        Checks.require(
            !retryOnGiven.isEmpty(), "retryOn must name at least one exception type, was none");
        for (int i = 0; i < retryOnGiven.size(); i++) {
          Checks.notNull(retryOnGiven.get(i), "retryOn[" + i + "]");
        }
        retryOn = List.copyOf(retryOnGiven);
      }
      Checks.notNull(retryIf, "retryIf");
      Checks.notNull(retryOnResult, "retryOnResult");
      if (budgetSet) {
        Checks.notNull(budget, "budget");
      }
      Checks.nonNegative(maxRetryAfter, "maxRetryAfter");
      Checks.notNull(timeSource, "timeSource");
      return new Retry(this);
    }
  }
}
