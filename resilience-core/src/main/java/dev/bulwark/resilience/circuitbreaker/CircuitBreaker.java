package dev.bulwark.resilience.circuitbreaker;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.CallCounts;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.PermitPolicy;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.circuitbreaker.BreakerState.Closed;
import dev.bulwark.resilience.circuitbreaker.BreakerState.Disabled;
import dev.bulwark.resilience.circuitbreaker.BreakerState.ForcedOpen;
import dev.bulwark.resilience.circuitbreaker.BreakerState.HalfOpen;
import dev.bulwark.resilience.circuitbreaker.BreakerState.Open;
import dev.bulwark.resilience.circuitbreaker.Window.Counts;
import dev.bulwark.resilience.circuitbreaker.Window.Thresholds;
import dev.bulwark.resilience.internal.Chain;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Exceptions;
import dev.bulwark.resilience.internal.Listeners;
import dev.bulwark.resilience.internal.OutcomeCounter;
import dev.bulwark.resilience.internal.PipelineStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A circuit breaker: it watches the outcomes of the calls to one dependency and, when too many fail
 * or are slow, refuses calls for a while so that the dependency can recover and the callers fail
 * fast.
 *
 * <pre>{@code
 * CircuitBreaker breaker = CircuitBreaker.builder("payments")
 *     .failureRateThreshold(50)
 *     .slidingWindow(SlidingWindow.count(100))
 *     .minimumCalls(20)
 *     .openDuration(Duration.ofSeconds(30))
 *     .build();
 * Receipt receipt = breaker.call(() -> payments.charge(order));  // CircuitOpenException if open
 * }</pre>
 *
 * <h2>States</h2>
 *
 * <ul>
 *   <li>{@link State#CLOSED CLOSED}: calls run; their outcomes go into the {@linkplain
 *       Builder#slidingWindow(SlidingWindow) sliding window}. Once the window holds at least
 *       {@linkplain Builder#minimumCalls(int) minimum calls}, the breaker opens when the failure
 *       rate is at or above its threshold, or the slow-call rate at or above its own.
 *   <li>{@link State#OPEN OPEN}: calls are refused with {@link CircuitOpenException} for the
 *       {@linkplain Builder#openDuration(Duration) open duration}, fixed or growing with each
 *       consecutive trip ({@link Builder#openDuration(Backoff)}).
 *   <li>{@link State#HALF_OPEN HALF_OPEN}: once the open duration has passed, the next request for
 *       permission moves the breaker here. It lets {@linkplain
 *       Builder#permittedCallsInHalfOpen(int) a fixed number} of trial calls through and judges
 *       them in a window of their own: below both thresholds it closes, otherwise it opens again.
 *   <li>{@link State#FORCED_OPEN FORCED_OPEN} ({@link #forceOpen()}) refuses everything; {@link
 *       State#DISABLED DISABLED} ({@link #disable()}) permits everything and records nothing. Both
 *       last until {@link #reset()} or {@link #transitionToClosed()}.
 * </ul>
 *
 * <p>No timer thread moves the breaker: {@link #state()} and each request for permission compare
 * the {@linkplain Builder#timeSource(TimeSource) time source} with the end of the open duration.
 *
 * <h2>Same semantics and defaults as resilience4j</h2>
 *
 * Given the same settings and the same outcomes, durations and clock, this breaker permits and
 * refuses the same calls and goes through the same states as resilience4j 2.4.0's {@code
 * CircuitBreaker} (an oracle test checks this on random configurations and sequences). The defaults
 * are resilience4j's: failure-rate threshold 50 %, slow-call-rate threshold 100 %, a count window
 * of 100 calls, minimum calls 100, open duration 60 s, 10 trial calls in HALF_OPEN. The rules carry
 * over too: a count window judges at least {@code min(minimumCalls, size)} calls; the HALF_OPEN
 * window judges after {@code min(minimumCalls, permittedCallsInHalfOpen)} outcomes (as resilience4j
 * configured through its separate setters, as Spring Boot's properties do: its {@code
 * slidingWindow(size, minimumCalls, type)} shortcut also lowers the minimum to the size of a count
 * window, which changes the HALF_OPEN judgement); rates are computed in {@code float} as
 * resilience4j does and compared with {@code >=}; a call is slow when it takes strictly longer than
 * the slow-call duration; the breaker leaves OPEN only once strictly more than the open duration
 * has passed; outcomes of calls that started before a transition count in the state they finish in;
 * an exception that is neither ignored nor recorded counts as a success.
 *
 * <p>The intentional differences:
 *
 * <ul>
 *   <li>Slow-call detection is off until {@link Builder#slowCallDuration(Duration)} is set
 *       (resilience4j's default of 60 s almost never fires, yet times every call). With it set, the
 *       semantics match again.
 *   <li>{@link #state()} reports HALF_OPEN as soon as the open duration has passed; resilience4j's
 *       {@code getState()} still says OPEN until the next request for permission. The transition
 *       itself (its event, the fresh HALF_OPEN window) happens at that request in both, so what is
 *       permitted and recorded is the same.
 *   <li>A trial permit is given back (by an ignored exception or a {@link Permit#close()} without
 *       outcome) only to the HALF_OPEN state it was taken from. resilience4j gives a permit back to
 *       whatever state is current, so a call that started while CLOSED and ended with an ignored
 *       exception in HALF_OPEN lets one trial call too many through.
 *   <li>The open duration keeps its nanoseconds; resilience4j truncates it to milliseconds.
 *   <li>{@link Metrics#notPermittedCalls()} counts every refusal since the breaker was built or
 *       reset; resilience4j's count starts again with each state.
 *   <li>Bounds that resilience4j does not have: a count window (and the HALF_OPEN trial calls) of
 *       at most {@value SlidingWindow#MAX_SIZE} calls, a time window of at most as many seconds,
 *       and at most 2,097,151 calls counted per second of a time window (later calls in that second
 *       are not counted, so the rates stay right).
 * </ul>
 *
 * <h2>Cost</h2>
 *
 * A permitted call in CLOSED takes no lock and allocates nothing: one read of the state, and one
 * lock-free update of the window (see {@code CountWindow} and {@code TimeWindow}). A fast success
 * recorded in a full count window that holds no failure and no slow call changes nothing, so it
 * only reads the window and writes no shared memory: a healthy breaker scales with the threads that
 * call it. The time source is read only when needed: twice per call when slow-call detection is on
 * or someone listens to events, once when the window is time-based, otherwise not at all.
 * Transitions, which are rare, take a lock; events are published after it is released.
 */
public final class CircuitBreaker extends PipelineStep
    implements PermitPolicy, EventSource<CircuitBreakerEvent> {

  /** The states of a breaker. */
  public enum State {
    /** Calls run and their outcomes are recorded. */
    CLOSED,
    /** Calls are refused until the open duration has passed. */
    OPEN,
    /** A limited number of trial calls run; their outcomes decide between CLOSED and OPEN. */
    HALF_OPEN,
    /** Calls are refused until the breaker is reset or closed by hand. */
    FORCED_OPEN,
    /** Calls run and nothing is recorded, until the breaker is reset or closed by hand. */
    DISABLED
  }

  /**
   * The configuration of a breaker, as built.
   *
   * @param failureRateThreshold the failure rate, in percent, at or above which the breaker opens
   * @param slowCallRateThreshold the slow-call rate, in percent, at or above which it opens
   * @param slowCallDuration the duration above which a call is slow; empty when detection is off
   * @param slidingWindow the window of calls judged while CLOSED
   * @param minimumCalls the calls the window must hold before the rates are judged
   * @param openDuration how long the breaker stays OPEN after its n-th consecutive trip (delay n of
   *     the backoff); a fixed duration is a {@link Backoff#fixed(Duration) fixed} backoff
   * @param permittedCallsInHalfOpen the trial calls let through in HALF_OPEN
   */
  public record Config(
      double failureRateThreshold,
      double slowCallRateThreshold,
      Optional<Duration> slowCallDuration,
      SlidingWindow slidingWindow,
      int minimumCalls,
      Backoff openDuration,
      int permittedCallsInHalfOpen) {}

  /**
   * A snapshot of a breaker's window, as resilience4j's {@code CircuitBreaker.Metrics} reports it.
   * In OPEN the window is the one of the CLOSED state that tripped; in HALF_OPEN it is the window
   * of the trial calls; FORCED_OPEN and DISABLED have none (all counts zero).
   *
   * @param state the breaker's state, as {@link CircuitBreaker#state()}
   * @param failureRate the failure rate in percent, or -1 while the window holds fewer than the
   *     minimum calls
   * @param slowCallRate the slow-call rate in percent, or -1 likewise
   * @param bufferedCalls the calls in the window
   * @param failedCalls the failed calls in the window
   * @param slowCalls the slow calls in the window (successful or failed)
   * @param notPermittedCalls the calls refused since the breaker was built or last reset
   */
  public record Metrics(
      State state,
      float failureRate,
      float slowCallRate,
      long bufferedCalls,
      long failedCalls,
      long slowCalls,
      long notPermittedCalls) {}

  private final String name;
  private final Config config;
  private final TimeSource time;
  private final Listeners<CircuitBreakerEvent> listeners;

  // Refusals come when load is highest: these messages are built once; an OPEN breaker's, which
  // says when to retry, only if someone reads it (CircuitOpenException builds it lazily).
  private final String halfOpenMessage;
  private final String forcedOpenMessage;
  private final AtomicReference<BreakerState> state;
  private final ReentrantLock transitions = new ReentrantLock();
  private final AtomicLong notPermitted = new AtomicLong();
  private final OutcomeCounter<BreakerOutcome> counts = new OutcomeCounter<>(BreakerOutcome.class);
  private final boolean slowCallsOn;
  private final long slowCallNanos;
  private final boolean timeWindow;
  private final Thresholds closedThresholds;
  private final Thresholds halfOpenThresholds;
  private final Backoff openDuration;
  private final List<Class<? extends Throwable>> recordTypes;
  private final List<Predicate<? super Throwable>> recordPredicates;
  private final List<Class<? extends Throwable>> ignoreTypes;
  private final List<Predicate<? super Throwable>> ignorePredicates;

  private CircuitBreaker(Builder b) {
    this.name = b.name;
    this.time = b.timeSource;
    this.config =
        new Config(
            b.failureRateThreshold,
            b.slowCallRateThreshold,
            Optional.ofNullable(b.slowCallDuration),
            b.slidingWindow,
            b.minimumCalls,
            b.openDuration,
            b.permittedCallsInHalfOpen);
    this.listeners = new Listeners<>("circuit breaker '" + name + "'");
    this.halfOpenMessage =
        "circuit '"
            + name
            + "' is HALF_OPEN and all "
            + b.permittedCallsInHalfOpen
            + " trial calls are in flight; try again once they finish";
    this.forcedOpenMessage =
        "circuit '"
            + name
            + "' is FORCED_OPEN; calls are refused until it is reset or closed by hand";
    this.slowCallsOn = b.slowCallDuration != null;
    this.slowCallNanos = slowCallsOn ? b.slowCallDuration.toNanos() : Long.MAX_VALUE;
    this.timeWindow = b.slidingWindow instanceof SlidingWindow.Time;
    int closedMinimum =
        b.slidingWindow instanceof SlidingWindow.Count count
            ? Math.min(b.minimumCalls, count.size())
            : b.minimumCalls;
    float failureRate = (float) b.failureRateThreshold;
    float slowCallRate = (float) b.slowCallRateThreshold;
    this.closedThresholds = new Thresholds(failureRate, slowCallRate, closedMinimum);
    this.halfOpenThresholds =
        new Thresholds(
            failureRate, slowCallRate, Math.min(b.minimumCalls, b.permittedCallsInHalfOpen));
    this.openDuration = b.openDuration;
    this.recordTypes = List.copyOf(b.recordTypes);
    this.recordPredicates = List.copyOf(b.recordPredicates);
    this.ignoreTypes = List.copyOf(b.ignoreTypes);
    this.ignorePredicates = List.copyOf(b.ignorePredicates);
    this.state = new AtomicReference<>(new Closed(newClosedWindow()));
  }

  /**
   * Starts a builder with resilience4j's defaults (see the class description).
   *
   * @param name the breaker's name, for refusals, events and metrics
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
   * Returns this breaker's configuration.
   *
   * @return the configuration as built
   */
  public Config config() {
    return config;
  }

  /**
   * Returns the current state. An OPEN breaker whose open duration has passed reads as HALF_OPEN
   * (the transition itself happens with the next request for permission).
   *
   * @return the state
   */
  public State state() {
    BreakerState s = state.get();
    if (s instanceof Open open && open.remaining(time.nanoTime()) <= 0) {
      return State.HALF_OPEN;
    }
    return s.state;
  }

  /**
   * Returns a snapshot of the current window's counts and rates.
   *
   * @return the metrics
   */
  public Metrics metrics() {
    BreakerState s = state.get();
    long now = time.nanoTime();
    State reported = s instanceof Open open && open.remaining(now) <= 0 ? State.HALF_OPEN : s.state;
    Window window = s.window();
    Counts counts = window == null ? new Counts(0, 0, 0) : window.counts(now);
    Thresholds thresholds = window == null ? closedThresholds : window.thresholds();
    return new Metrics(
        reported,
        thresholds.reported(counts.failures(), counts.calls()),
        thresholds.reported(counts.slow(), counts.calls()),
        counts.calls(),
        counts.failures(),
        counts.slow(),
        notPermitted.get());
  }

  /**
   * Runs {@code call} if the breaker permits it, and records its outcome.
   *
   * @throws CircuitOpenException if the breaker refuses the call
   * @throws X the call's own failure, unwrapped, after it was recorded
   */
  @Override
  public <T, X extends Exception> T call(Call<T, X> call) throws X {
    Checks.notNull(call, "call");
    return callAround(Chain.DIRECT, call);
  }

  /** Runs this policy around the rest of a pipeline (see {@link PipelineStep}). */
  @Override
  protected <T, X extends Exception> T callAround(Chain rest, Call<T, X> call) throws X {
    BreakerState origin = admit(true);
    boolean timed = slowCallsOn || !listeners.isEmpty();
    long start = timed ? time.nanoTime() : 0L;
    T result;
    try {
      result = rest.proceed(call);
    } catch (Throwable failure) {
      completeWithFailure(origin, timed, start, failure);
      throw Exceptions.<X>rethrow(failure);
    }
    completeWithSuccess(timed, start);
    return result;
  }

  /**
   * Takes a permit for work that is not one call (a stream, a batch), or refuses at once. The
   * permit measures the work's duration with the breaker's time source and records its outcome as a
   * call would be recorded.
   *
   * @return the permit
   * @throws CircuitOpenException if the breaker refuses the work
   */
  @Override
  public Permit acquirePermit() {
    BreakerState origin = admit(true);
    return new BreakerPermit(origin, time.nanoTime());
  }

  /**
   * Takes a permit as {@link #acquirePermit()} does, but returns empty instead of throwing when the
   * breaker refuses. A refusal is still counted and published.
   *
   * @return the permit, or empty if the breaker refuses
   */
  public Optional<Permit> tryAcquirePermit() {
    BreakerState origin = admit(false);
    return origin == null
        ? Optional.empty()
        : Optional.of(new BreakerPermit(origin, time.nanoTime()));
  }

  /** Moves the breaker to FORCED_OPEN: every call is refused until it is reset or closed. */
  public void forceOpen() {
    manualTransition(new ForcedOpen(0), false);
  }

  /** Moves the breaker to DISABLED: every call is permitted and nothing is recorded. */
  public void disable() {
    manualTransition(new Disabled(), false);
  }

  /**
   * Moves the breaker to CLOSED with an empty window, as resilience4j's {@code
   * transitionToClosedState()}. Consecutive trips are forgotten; the refusal count is kept.
   */
  public void transitionToClosed() {
    manualTransition(new Closed(newClosedWindow()), false);
  }

  /**
   * Returns the breaker to its initial state: CLOSED, an empty window, no trips, no refusals
   * counted. Publishes a {@link CircuitBreakerEvent.Reset} event (and a transition event if it was
   * not CLOSED).
   */
  public void reset() {
    manualTransition(new Closed(newClosedWindow()), true);
  }

  @Override
  public Subscription subscribe(Consumer<? super CircuitBreakerEvent> listener) {
    return listeners.subscribe(listener);
  }

  @Override
  public String toString() {
    return "CircuitBreaker[" + name + ", " + state() + "]";
  }

  // ---- permission ----

  /**
   * Returns the state that permits a call, or refuses: throws when {@code throwing}, else null.
   * Allocates nothing when it permits in CLOSED, HALF_OPEN or DISABLED.
   */
  private BreakerState admit(boolean throwing) {
    BreakerState s = state.get();
    while (true) {
      switch (s) {
        case Closed closed -> {
          return closed;
        }
        case Disabled disabled -> {
          return disabled;
        }
        case HalfOpen halfOpen -> {
          if (halfOpen.tryTakePermit()) {
            return halfOpen;
          }
          return refuse(halfOpen, 0, throwing);
        }
        case Open open -> {
          long now = time.nanoTime();
          long remaining = open.remaining(now);
          if (remaining > 0) {
            return refuse(open, remaining, throwing);
          }
          toHalfOpen(open); // or another thread did; either way, ask the state now current
          s = state.get();
        }
        case ForcedOpen forcedOpen -> {
          return refuse(forcedOpen, 0, throwing);
        }
      }
    }
  }

  private BreakerState refuse(BreakerState s, long retryAfterNanos, boolean throwing) {
    notPermitted.incrementAndGet();
    counts.increment(BreakerOutcome.REFUSED);
    if (!listeners.isEmpty()) {
      listeners.publish(new CircuitBreakerEvent.CallNotPermitted(name, s.state));
    }
    if (!throwing) {
      return null;
    }
    throw switch (s.state) {
      case OPEN -> new CircuitOpenException(name, retryAfterNanos);
      case HALF_OPEN -> new CircuitOpenException(name, s.state, null, halfOpenMessage);
      default -> new CircuitOpenException(name, s.state, null, forcedOpenMessage);
    };
  }

  // ---- recording ----

  private void completeWithSuccess(boolean timed, long start) {
    long now = timed || timeWindow ? time.nanoTime() : 0L;
    recordSuccess(now, timed ? now - start : UNTIMED);
  }

  private void completeWithFailure(
      BreakerState origin, boolean timed, long start, Throwable failure) {
    long now = timed || timeWindow ? time.nanoTime() : 0L;
    recordFailure(origin, now, timed ? now - start : UNTIMED, failure);
  }

  /** The elapsed time of an outcome that was not timed: never slow, reported as zero. */
  private static final long UNTIMED = -1L;

  /** Records a success that took {@code elapsedNanos} ({@link #UNTIMED} if not measured). */
  private void recordSuccess(long now, long elapsedNanos) {
    boolean slow = elapsedNanos > slowCallNanos;
    counts.increment(BreakerOutcome.SUCCESS);
    if (!listeners.isEmpty() && publishesOutcomes()) {
      listeners.publish(new CircuitBreakerEvent.Success(name, elapsed(elapsedNanos), slow));
    }
    record(slow ? Window.SLOW : 0, now);
  }

  /** Records a failure that took {@code elapsedNanos} ({@link #UNTIMED} if not measured). */
  private void recordFailure(BreakerState origin, long now, long elapsedNanos, Throwable failure) {
    Throwable classified = Exceptions.classified(failure);
    if (isIgnored(classified)) {
      release(origin);
      counts.increment(BreakerOutcome.IGNORED);
      if (!listeners.isEmpty() && publishesOutcomes()) {
        listeners.publish(new CircuitBreakerEvent.Ignored(name, elapsed(elapsedNanos), failure));
      }
      return;
    }
    boolean slow = elapsedNanos > slowCallNanos;
    boolean recorded = isRecorded(classified);
    counts.increment(recorded ? BreakerOutcome.FAILURE : BreakerOutcome.SUCCESS);
    if (!listeners.isEmpty() && publishesOutcomes()) {
      Duration elapsed = elapsed(elapsedNanos);
      listeners.publish(
          recorded
              ? new CircuitBreakerEvent.Failure(name, elapsed, slow, failure)
              : new CircuitBreakerEvent.Success(name, elapsed, slow));
    }
    record((recorded ? Window.FAILED : 0) | (slow ? Window.SLOW : 0), now);
  }

  private boolean publishesOutcomes() {
    BreakerState s = state.get();
    return !(s instanceof Disabled || s instanceof ForcedOpen);
  }

  private static Duration elapsed(long elapsedNanos) {
    return elapsedNanos == UNTIMED ? Duration.ZERO : Duration.ofNanos(elapsedNanos);
  }

  /** Records an outcome in the current state, and moves the breaker on if its window says so. */
  private void record(int outcome, long now) {
    switch (state.get()) {
      case Closed closed -> {
        int verdict = closed.window.record(outcome, now);
        if (verdict >= Window.FAILURE_RATE_EXCEEDED) {
          trip(closed, verdict);
        }
      }
      case Open open -> open.window.record(outcome, now);
      case HalfOpen halfOpen -> {
        int verdict = halfOpen.window.record(outcome, now);
        if (verdict >= Window.FAILURE_RATE_EXCEEDED) {
          trip(halfOpen, verdict);
        } else if (verdict == Window.BELOW_THRESHOLDS) {
          closeFromHalfOpen(halfOpen);
        }
      }
      case ForcedOpen forcedOpen -> {}
      case Disabled disabled -> {}
    }
  }

  /** Gives a trial permit back, only to the HALF_OPEN state it came from. */
  private void release(BreakerState origin) {
    if (origin instanceof HalfOpen halfOpen && state.get() == halfOpen) {
      halfOpen.permits.incrementAndGet();
    }
  }

  private boolean isIgnored(Throwable failure) {
    for (Class<? extends Throwable> type : ignoreTypes) {
      if (type.isInstance(failure)) {
        return true;
      }
    }
    for (Predicate<? super Throwable> predicate : ignorePredicates) {
      if (predicate.test(failure)) {
        return true;
      }
    }
    return false;
  }

  private boolean isRecorded(Throwable failure) {
    if (recordTypes.isEmpty() && recordPredicates.isEmpty()) {
      return true;
    }
    for (Class<? extends Throwable> type : recordTypes) {
      if (type.isInstance(failure)) {
        return true;
      }
    }
    for (Predicate<? super Throwable> predicate : recordPredicates) {
      if (predicate.test(failure)) {
        return true;
      }
    }
    return false;
  }

  // ---- transitions: rare, under the lock; events after it ----

  private Window newClosedWindow() {
    return switch (config.slidingWindow()) {
      case SlidingWindow.Count count -> new CountWindow(count.size(), closedThresholds);
      case SlidingWindow.Time t -> new TimeWindow(t.seconds(), closedThresholds);
    };
  }

  private void trip(BreakerState from, int verdict) {
    BreakerState next;
    transitions.lock();
    try {
      if (state.get() != from) {
        return; // another recording moved it on first
      }
      Backoff.Sequence waits;
      if (from instanceof HalfOpen halfOpen && halfOpen.waits != null) {
        waits = halfOpen.waits;
      } else {
        waits = openDuration.sequence();
      }
      long wait = waits.nextNanos();
      next = new Open(from.window(), from.trips + 1, time.nanoTime(), wait, waits);
      state.set(next);
    } finally {
      transitions.unlock();
    }
    if (!listeners.isEmpty()) {
      if (from instanceof Closed closed) {
        Counts counts = closed.window.counts(((Open) next).openedAt);
        if ((verdict & Window.FAILURE_RATE_EXCEEDED) != 0) {
          listeners.publish(
              new CircuitBreakerEvent.FailureRateExceeded(
                  name, closedThresholds.reported(counts.failures(), counts.calls())));
        }
        if ((verdict & Window.SLOW_CALL_RATE_EXCEEDED) != 0) {
          listeners.publish(
              new CircuitBreakerEvent.SlowCallRateExceeded(
                  name, closedThresholds.reported(counts.slow(), counts.calls())));
        }
      }
      listeners.publish(new CircuitBreakerEvent.StateTransition(name, from.state, State.OPEN));
    }
  }

  private void toHalfOpen(Open from) {
    transitions.lock();
    try {
      if (state.get() != from) {
        return;
      }
      state.set(
          new HalfOpen(
              new CountWindow(config.permittedCallsInHalfOpen(), halfOpenThresholds),
              config.permittedCallsInHalfOpen(),
              from.trips,
              from.waits));
    } finally {
      transitions.unlock();
    }
    if (!listeners.isEmpty()) {
      listeners.publish(new CircuitBreakerEvent.StateTransition(name, State.OPEN, State.HALF_OPEN));
    }
  }

  private void closeFromHalfOpen(HalfOpen from) {
    transitions.lock();
    try {
      if (state.get() != from) {
        return;
      }
      state.set(new Closed(newClosedWindow()));
    } finally {
      transitions.unlock();
    }
    if (!listeners.isEmpty()) {
      listeners.publish(
          new CircuitBreakerEvent.StateTransition(name, State.HALF_OPEN, State.CLOSED));
    }
  }

  private void manualTransition(BreakerState next, boolean reset) {
    BreakerState previous;
    transitions.lock();
    try {
      previous = state.getAndSet(next);
      if (reset) {
        notPermitted.set(0);
      }
    } finally {
      transitions.unlock();
    }
    if (!listeners.isEmpty()) {
      if (previous.state != next.state) {
        listeners.publish(
            new CircuitBreakerEvent.StateTransition(name, previous.state, next.state));
      }
      if (reset) {
        listeners.publish(new CircuitBreakerEvent.Reset(name));
      }
    }
  }

  /**
   * Returns the running totals of this breaker's calls and permits by outcome. They count only once
   * {@link CallCounts#start() started} (a metrics binding starts them); a reset does not clear
   * them.
   *
   * @return the counts
   */
  public CallCounts<BreakerOutcome> callCounts() {
    return counts;
  }

  /** A permit for one unit of work; only its first outcome counts. */
  private final class BreakerPermit implements Permit {
    private final BreakerState origin;
    private final long start;
    private final AtomicBoolean done = new AtomicBoolean();

    BreakerPermit(BreakerState origin, long start) {
      this.origin = origin;
      this.start = start;
    }

    @Override
    public void onSuccess() {
      if (done.compareAndSet(false, true)) {
        completeWithSuccess(true, start);
      }
    }

    @Override
    public void onFailure(Throwable failure) {
      Checks.notNull(failure, "failure");
      if (done.compareAndSet(false, true)) {
        completeWithFailure(origin, true, start, failure);
      }
    }

    @Override
    public void onSuccess(Duration elapsed) {
      long nanos = Durations.saturatedNanos(Checks.nonNegative(elapsed, "elapsed"));
      if (done.compareAndSet(false, true)) {
        recordSuccess(time.nanoTime(), nanos);
      }
    }

    @Override
    public void onFailure(Duration elapsed, Throwable failure) {
      long nanos = Durations.saturatedNanos(Checks.nonNegative(elapsed, "elapsed"));
      Checks.notNull(failure, "failure");
      if (done.compareAndSet(false, true)) {
        recordFailure(origin, time.nanoTime(), nanos, failure);
      }
    }

    @Override
    public void close() {
      if (done.compareAndSet(false, true)) {
        release(origin);
      }
    }

    @Override
    public String toString() {
      return "Permit[" + name + ", from " + origin.state + (done.get() ? ", done]" : "]");
    }
  }

  /**
   * Builds a {@link CircuitBreaker}. Every setting starts at resilience4j's default; {@link
   * #build()} validates them all.
   */
  public static final class Builder {
    private final String name;
    private double failureRateThreshold = 50;
    private double slowCallRateThreshold = 100;
    private Duration slowCallDuration;
    private boolean slowCallDurationSet;
    private SlidingWindow slidingWindow = SlidingWindow.count(100);
    private int minimumCalls = 100;
    private Duration fixedOpenDuration = Duration.ofSeconds(60);
    private Backoff openDuration;
    private boolean openDurationIsBackoff;
    private int permittedCallsInHalfOpen = 10;
    private final List<Class<? extends Throwable>> recordTypes = new ArrayList<>();
    private final List<Predicate<? super Throwable>> recordPredicates = new ArrayList<>();
    private final List<Class<? extends Throwable>> ignoreTypes = new ArrayList<>();
    private final List<Predicate<? super Throwable>> ignorePredicates = new ArrayList<>();
    private boolean recordOnNull; // recordOn((Class[]) null)
    private boolean ignoreNull; // ignore((Class[]) null)
    private TimeSource timeSource = TimeSource.system();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets the failure rate, in percent, at or above which the breaker opens (default 50).
     *
     * @param percent in (0, 100]
     * @return this builder
     */
    public Builder failureRateThreshold(double percent) {
      this.failureRateThreshold = percent;
      return this;
    }

    /**
     * Sets the slow-call rate, in percent, at or above which the breaker opens (default 100). It
     * matters only once a {@linkplain #slowCallDuration(Duration) slow-call duration} is set.
     *
     * @param percent in (0, 100]
     * @return this builder
     */
    public Builder slowCallRateThreshold(double percent) {
      this.slowCallRateThreshold = percent;
      return this;
    }

    /**
     * Turns slow-call detection on: a call that takes strictly longer than {@code duration} is slow
     * (default: off, see the class description).
     *
     * @param duration positive
     * @return this builder
     */
    public Builder slowCallDuration(Duration duration) {
      this.slowCallDuration = duration;
      this.slowCallDurationSet = true;
      return this;
    }

    /**
     * Sets the window judged while CLOSED (default {@code SlidingWindow.count(100)}).
     *
     * @param window {@link SlidingWindow#count(int)} or {@link SlidingWindow#time(Duration)}
     * @return this builder
     */
    public Builder slidingWindow(SlidingWindow window) {
      this.slidingWindow = window;
      return this;
    }

    /**
     * Sets how many calls the window must hold before its rates are judged (default 100). A count
     * window judges from {@code min(minimumCalls, size)} calls, as in resilience4j.
     *
     * @param calls at least 1
     * @return this builder
     */
    public Builder minimumCalls(int calls) {
      this.minimumCalls = calls;
      return this;
    }

    /**
     * Sets a fixed open duration (default 60 s).
     *
     * @param duration positive
     * @return this builder
     */
    public Builder openDuration(Duration duration) {
      this.fixedOpenDuration = duration;
      this.openDuration = null;
      this.openDurationIsBackoff = false;
      return this;
    }

    /**
     * Sets an open duration that grows with consecutive trips: after the n-th trip since the
     * breaker last closed, it stays OPEN for delay n of {@code backoff} (a HALF_OPEN breaker that
     * opens again counts as one more trip). As resilience4j's {@code
     * waitIntervalFunctionInOpenState}.
     *
     * @param backoff the open durations; its first delay must be positive
     * @return this builder
     */
    public Builder openDuration(Backoff backoff) {
      this.openDuration = backoff;
      this.fixedOpenDuration = null;
      this.openDurationIsBackoff = true;
      return this;
    }

    /**
     * Sets how many trial calls HALF_OPEN lets through (default 10).
     *
     * @param calls 1 to {@value SlidingWindow#MAX_SIZE}
     * @return this builder
     */
    public Builder permittedCallsInHalfOpen(int calls) {
      this.permittedCallsInHalfOpen = calls;
      return this;
    }

    /**
     * Records only failures of these types (and of those given by other {@code recordOn} calls) as
     * failures; any other exception counts as a success, as in resilience4j. By default every
     * exception is a failure.
     *
     * @param types exception types
     * @return this builder
     */
    @SafeVarargs
    public final Builder recordOn(Class<? extends Throwable>... types) {
      if (types == null) {
        recordOnNull = true;
      } else {
        for (Class<? extends Throwable> type : types) {
          recordTypes.add(type); // a null too: build() refuses it
        }
      }
      return this;
    }

    /**
     * Records failures that match {@code predicate} as failures; see {@link #recordOn(Class[])}.
     *
     * @param predicate which failures count
     * @return this builder
     */
    public Builder recordOn(Predicate<? super Throwable> predicate) {
      recordPredicates.add(predicate);
      return this;
    }

    /**
     * Ignores failures of these types: they count neither as success nor as failure, and give their
     * HALF_OPEN trial permit back. Ignoring wins over {@link #recordOn(Class[])}.
     *
     * @param types exception types
     * @return this builder
     */
    @SafeVarargs
    public final Builder ignore(Class<? extends Throwable>... types) {
      if (types == null) {
        ignoreNull = true;
      } else {
        for (Class<? extends Throwable> type : types) {
          ignoreTypes.add(type); // a null too: build() refuses it
        }
      }
      return this;
    }

    /**
     * Ignores failures that match {@code predicate}; see {@link #ignore(Class[])}.
     *
     * @param predicate which failures to ignore
     * @return this builder
     */
    public Builder ignore(Predicate<? super Throwable> predicate) {
      ignorePredicates.add(predicate);
      return this;
    }

    /**
     * Sets the time source (default {@link TimeSource#system()}); tests pass a {@code
     * ManualTimeSource}.
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Validates the settings and builds the breaker.
     *
     * @return the breaker, CLOSED
     * @throws IllegalArgumentException if a threshold is outside (0, 100], the minimum calls or the
     *     permitted calls in HALF_OPEN are below 1 (or the latter above {@value
     *     SlidingWindow#MAX_SIZE}), the name is blank, or a duration is zero or negative
     * @throws NullPointerException if the name or any setting given is null (one of the types or
     *     predicates of {@code recordOn} or {@code ignore} included)
     */
    public CircuitBreaker build() {
      Checks.name(name);
      Checks.inRange(failureRateThreshold, 0, false, 100, true, "failureRateThreshold");
      Checks.inRange(slowCallRateThreshold, 0, false, 100, true, "slowCallRateThreshold");
      if (slowCallDurationSet) {
        Checks.positive(slowCallDuration, "slowCallDuration");
      }
      Checks.notNull(slidingWindow, "slidingWindow");
      Checks.notNull(recordOnNull ? null : recordTypes, "recordOn");
      recordTypes.forEach(type -> Checks.notNull(type, "recordOn"));
      recordPredicates.forEach(predicate -> Checks.notNull(predicate, "recordOn"));
      Checks.notNull(ignoreNull ? null : ignoreTypes, "ignore");
      ignoreTypes.forEach(type -> Checks.notNull(type, "ignore"));
      ignorePredicates.forEach(predicate -> Checks.notNull(predicate, "ignore"));
      Checks.notNull(timeSource, "timeSource");
      Checks.atLeast(minimumCalls, 1, "minimumCalls");
      Checks.atLeast(permittedCallsInHalfOpen, 1, "permittedCallsInHalfOpen");
      Checks.require(
          permittedCallsInHalfOpen <= SlidingWindow.MAX_SIZE,
          "permittedCallsInHalfOpen must be at most "
              + SlidingWindow.MAX_SIZE
              + ", was "
              + permittedCallsInHalfOpen);
      if (!openDurationIsBackoff) {
        Checks.positive(fixedOpenDuration, "openDuration");
        openDuration = Backoff.fixed(fixedOpenDuration).build();
      } else {
        Checks.notNull(openDuration, "openDuration");
        Duration first = openDuration.cappedDelay(1);
        Checks.require(
            first.compareTo(Duration.ZERO) > 0,
            "openDuration must start above zero, was " + Durations.format(first));
      }
      return new CircuitBreaker(this);
    }
  }
}
