package dev.bulwark.metrics;

import static dev.bulwark.metrics.Registrar.tagValue;

import dev.bulwark.lifecycle.ComponentHealth;
import dev.bulwark.lifecycle.ComponentState;
import dev.bulwark.lifecycle.JobHandle;
import dev.bulwark.lifecycle.JobQueue;
import dev.bulwark.lifecycle.JobQueueEvent;
import dev.bulwark.lifecycle.ShutdownReport;
import dev.bulwark.lifecycle.Supervisor;
import dev.bulwark.resilience.CallCounts;
import dev.bulwark.resilience.bulkhead.AdaptiveBulkhead;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.fallback.Fallback;
import dev.bulwark.resilience.fanout.FanOut;
import dev.bulwark.resilience.fanout.FanOutEvent;
import dev.bulwark.resilience.hedge.Hedge;
import dev.bulwark.resilience.hedge.HedgeEvent;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.retry.RetryBudget;
import dev.bulwark.resilience.timeout.Timeout;
import dev.bulwark.streaming.StreamEvent;
import dev.bulwark.streaming.StreamResult;
import dev.bulwark.streaming.StreamWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What each kind of component contributes to a binding. Call totals come from the policies' {@link
 * CallCounts} (started here); listeners are added only where events are rare by nature or the
 * component allocates per call anyway (hedges and fan-outs start threads; a stream or a job is a
 * unit of work far larger than an event).
 *
 * <p>Package-private: the implementation behind {@link BulwarkMetrics}.
 */
final class Binders {

  private Binders() {}

  private static <E extends Enum<E>> void calls(
      Registrar r, BulwarkMeter meter, String name, CallCounts<E> counts) {
    counts.start();
    for (E outcome : counts.outcomes()) {
      r.functionCounter(
          meter,
          Tags.of("name", name, "outcome", tagValue(outcome)),
          counts,
          c -> c.count(outcome));
    }
  }

  /**
   * Binds a circuit breaker.
   *
   * @param r the registrar
   * @param b the breaker
   */
  static void circuitBreaker(Registrar r, CircuitBreaker b) {
    String name = b.name();
    calls(r, BulwarkMeter.CIRCUITBREAKER_CALLS, name, b.callCounts());
    for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
      r.gauge(
          BulwarkMeter.CIRCUITBREAKER_STATE,
          Tags.of("name", name, "state", tagValue(state)),
          b,
          x -> x.state() == state ? 1 : 0);
    }
    Tags tags = Tags.of("name", name);
    r.gauge(BulwarkMeter.CIRCUITBREAKER_FAILURE_RATE, tags, b, x -> x.metrics().failureRate());
    r.gauge(BulwarkMeter.CIRCUITBREAKER_SLOW_CALL_RATE, tags, b, x -> x.metrics().slowCallRate());
    r.gauge(BulwarkMeter.CIRCUITBREAKER_BUFFERED_CALLS, tags, b, x -> x.metrics().bufferedCalls());
    r.gauge(BulwarkMeter.CIRCUITBREAKER_SLOW_CALLS, tags, b, x -> x.metrics().slowCalls());
  }

  /**
   * Binds a retry.
   *
   * @param r the registrar
   * @param b the retry
   */
  static void retry(Registrar r, Retry b) {
    calls(r, BulwarkMeter.RETRY_CALLS, b.name(), b.callCounts());
  }

  /**
   * Binds a retry budget.
   *
   * @param r the registrar
   * @param name the tag value {@code name}
   * @param b the budget
   */
  static void retryBudget(Registrar r, String name, RetryBudget b) {
    calls(r, BulwarkMeter.RETRYBUDGET_RETRIES, name, b.callCounts());
    r.gauge(BulwarkMeter.RETRYBUDGET_AVAILABLE, Tags.of("name", name), b, RetryBudget::available);
  }

  /**
   * Binds a bulkhead.
   *
   * @param r the registrar
   * @param b the bulkhead
   */
  static void bulkhead(Registrar r, Bulkhead b) {
    calls(r, BulwarkMeter.BULKHEAD_CALLS, b.name(), b.callCounts());
    Tags tags = Tags.of("name", b.name());
    r.gauge(BulwarkMeter.BULKHEAD_AVAILABLE_PERMITS, tags, b, Bulkhead::availablePermits);
    r.gauge(BulwarkMeter.BULKHEAD_LIMIT, tags, b, x -> x.config().maxConcurrentCalls());
  }

  /**
   * Binds an adaptive bulkhead.
   *
   * @param r the registrar
   * @param b the bulkhead
   */
  static void adaptiveBulkhead(Registrar r, AdaptiveBulkhead b) {
    calls(r, BulwarkMeter.BULKHEAD_CALLS, b.name(), b.callCounts());
    Tags tags = Tags.of("name", b.name());
    r.gauge(BulwarkMeter.BULKHEAD_AVAILABLE_PERMITS, tags, b, AdaptiveBulkhead::availablePermits);
    r.gauge(BulwarkMeter.BULKHEAD_LIMIT, tags, b, AdaptiveBulkhead::limit);
  }

  /**
   * Binds a rate limiter.
   *
   * @param r the registrar
   * @param b the limiter
   */
  static void rateLimiter(Registrar r, RateLimiter b) {
    calls(r, BulwarkMeter.RATELIMITER_CALLS, b.name(), b.callCounts());
    r.gauge(
        BulwarkMeter.RATELIMITER_AVAILABLE_PERMITS,
        Tags.of("name", b.name()),
        b,
        RateLimiter::availablePermits);
  }

  /**
   * Binds a keyed rate limiter; its keys never become tags.
   *
   * @param r the registrar
   * @param b the limiter
   */
  static void keyedRateLimiter(Registrar r, KeyedRateLimiter<?> b) {
    calls(r, BulwarkMeter.RATELIMITER_CALLS, b.name(), b.callCounts());
    r.gauge(BulwarkMeter.RATELIMITER_KEYS, Tags.of("name", b.name()), b, x -> x.trackedKeys());
  }

  /**
   * Binds a timeout.
   *
   * @param r the registrar
   * @param b the timeout
   */
  static void timeout(Registrar r, Timeout b) {
    calls(r, BulwarkMeter.TIMEOUT_CALLS, b.name(), b.callCounts());
  }

  /**
   * Binds a fallback.
   *
   * @param r the registrar
   * @param b the fallback
   */
  static void fallback(Registrar r, Fallback<?> b) {
    calls(r, BulwarkMeter.FALLBACK_CALLS, b.name(), b.callCounts());
  }

  /**
   * Binds a hedge, through its events (a hedged call starts threads, so an event is cheap beside
   * it).
   *
   * @param r the registrar
   * @param b the hedge
   */
  static void hedge(Registrar r, Hedge b) {
    String name = b.name();
    Counter success =
        r.counter(BulwarkMeter.HEDGE_CALLS, Tags.of("name", name, "outcome", "success"));
    Counter failure =
        r.counter(BulwarkMeter.HEDGE_CALLS, Tags.of("name", name, "outcome", "failure"));
    Counter started =
        r.counter(BulwarkMeter.HEDGE_ATTEMPTS, Tags.of("name", name, "outcome", "started"));
    Counter denied =
        r.counter(BulwarkMeter.HEDGE_ATTEMPTS, Tags.of("name", name, "outcome", "budget_denied"));
    r.listening(
        b.subscribe(
            e -> {
              switch (e) {
                case HedgeEvent.Succeeded s -> success.increment();
                case HedgeEvent.Failed f -> failure.increment();
                case HedgeEvent.HedgeStarted h -> started.increment();
                case HedgeEvent.BudgetDenied d -> denied.increment();
              }
            }));
  }

  /**
   * Binds a fan-out, through its events (one per batch).
   *
   * @param r the registrar
   * @param b the fan-out
   */
  static void fanOut(Registrar r, FanOut b) {
    String name = b.name();
    Counter completed =
        r.counter(BulwarkMeter.FANOUT_BATCHES, Tags.of("name", name, "outcome", "completed"));
    Counter deadline =
        r.counter(BulwarkMeter.FANOUT_BATCHES, Tags.of("name", name, "outcome", "deadline"));
    Counter success =
        r.counter(BulwarkMeter.FANOUT_CALLS, Tags.of("name", name, "outcome", "success"));
    Counter failure =
        r.counter(BulwarkMeter.FANOUT_CALLS, Tags.of("name", name, "outcome", "failure"));
    Counter unfinished =
        r.counter(BulwarkMeter.FANOUT_CALLS, Tags.of("name", name, "outcome", "unfinished"));
    r.listening(
        b.subscribe(
            e -> {
              if (e instanceof FanOutEvent.Completed c) {
                (c.notFinished() > 0 ? deadline : completed).increment();
                success.increment(c.succeeded());
                failure.increment(c.failed());
                unfinished.increment(c.notFinished());
              }
            }));
  }

  /**
   * Binds a stream writer, through its events (one when a stream starts, one when it ends).
   *
   * @param r the registrar
   * @param w the writer
   */
  static void streamWriter(Registrar r, StreamWriter<?> w) {
    String name = w.config().name();
    Tags tags = Tags.of("name", name);
    AtomicLong active = new AtomicLong();
    r.gauge(BulwarkMeter.STREAM_ACTIVE, tags, active, a -> Math.max(0, a.get()));
    Map<StreamResult.Outcome, Counter> ended = new EnumMap<>(StreamResult.Outcome.class);
    Map<StreamResult.Outcome, Timer> durations = new EnumMap<>(StreamResult.Outcome.class);
    for (StreamResult.Outcome o : StreamResult.Outcome.values()) {
      Tags t = Tags.of("name", name, "outcome", tagValue(o));
      ended.put(o, r.counter(BulwarkMeter.STREAM_STREAMS, t));
      durations.put(o, r.timer(BulwarkMeter.STREAM_DURATION, t));
    }
    Counter rejected =
        r.counter(BulwarkMeter.STREAM_STREAMS, Tags.of("name", name, "outcome", "rejected"));
    Counter items = r.counter(BulwarkMeter.STREAM_ITEMS, tags);
    Counter bytes = r.counter(BulwarkMeter.STREAM_BYTES, tags);
    r.listening(
        w.subscribe(
            e -> {
              switch (e) {
                case StreamEvent.Started s -> active.incrementAndGet();
                case StreamEvent.Ended end -> {
                  active.decrementAndGet();
                  StreamResult result = end.result();
                  ended.get(result.outcome()).increment();
                  durations.get(result.outcome()).record(result.elapsed());
                  items.increment(result.items());
                  bytes.increment(result.bytes());
                }
                case StreamEvent.Rejected x -> rejected.increment();
              }
            }));
  }

  /**
   * Binds a supervisor: readiness, liveness and per component state, health, restarts and heartbeat
   * age, all read from {@link Supervisor#health()}, and the last shutdown's report.
   *
   * @param r the registrar
   * @param s the supervisor
   */
  static void supervisor(Registrar r, Supervisor s) {
    String name = s.name();
    Tags tags = Tags.of("name", name);
    r.gauge(BulwarkMeter.SUPERVISOR_READY, tags, s, x -> x.health().ready() ? 1 : 0);
    r.gauge(BulwarkMeter.SUPERVISOR_LIVE, tags, s, x -> x.health().live() ? 1 : 0);
    for (ComponentHealth c : s.health().components()) {
      String component = c.name();
      Tags ct = Tags.of("name", name, "component", component);
      for (ComponentState state : ComponentState.values()) {
        r.gauge(
            BulwarkMeter.SUPERVISOR_COMPONENT_STATE,
            ct.and("state", tagValue(state)),
            s,
            x -> component(x, component).state() == state ? 1 : 0);
      }
      r.gauge(
          BulwarkMeter.SUPERVISOR_COMPONENT_HEALTHY,
          ct,
          s,
          x -> component(x, component).healthy() ? 1 : 0);
      r.functionCounter(
          BulwarkMeter.SUPERVISOR_COMPONENT_RESTARTS,
          ct,
          s,
          x -> component(x, component).restarts());
      r.gauge(
          BulwarkMeter.SUPERVISOR_COMPONENT_HEARTBEAT_AGE,
          ct,
          s,
          x ->
              component(x, component)
                  .sinceHeartbeat()
                  .map(d -> d.toNanos() / 1e9)
                  .orElse(Double.NaN));
    }
    r.gauge(
        BulwarkMeter.SUPERVISOR_SHUTDOWN_DURATION,
        tags,
        s,
        x -> x.shutdownReport().map(rep -> rep.elapsed().toNanos() / 1e9).orElse(Double.NaN));
    for (ShutdownReport.Outcome outcome : ShutdownReport.Outcome.values()) {
      r.gauge(
          BulwarkMeter.SUPERVISOR_SHUTDOWN_COMPONENTS,
          Tags.of("name", name, "outcome", tagValue(outcome)),
          s,
          x ->
              x.shutdownReport()
                  .map(rep -> rep.components().stream().filter(c -> c.outcome() == outcome).count())
                  .orElse(0L));
    }
  }

  private static ComponentHealth component(Supervisor s, String component) {
    return s.health()
        .component(component)
        .orElseThrow(() -> new IllegalStateException("no component " + component));
  }

  /**
   * Binds a job queue: depth and running jobs from the queue, submissions, ends, waits and
   * handed-back jobs from its events.
   *
   * @param r the registrar
   * @param q the queue
   */
  static void jobQueue(Registrar r, JobQueue<?> q) {
    String name = q.name();
    Tags tags = Tags.of("name", name);
    r.gauge(BulwarkMeter.JOBQUEUE_QUEUED, tags, q, JobQueue::queued);
    r.gauge(BulwarkMeter.JOBQUEUE_RUNNING, tags, q, JobQueue::running);
    Counter accepted =
        r.counter(BulwarkMeter.JOBQUEUE_SUBMITTED, Tags.of("name", name, "outcome", "accepted"));
    Counter rejected =
        r.counter(BulwarkMeter.JOBQUEUE_SUBMITTED, Tags.of("name", name, "outcome", "rejected"));
    Map<JobHandle.Status, Counter> ended = new EnumMap<>(JobHandle.Status.class);
    for (JobHandle.Status status :
        new JobHandle.Status[] {
          JobHandle.Status.SUCCEEDED, JobHandle.Status.FAILED, JobHandle.Status.CANCELLED
        }) {
      ended.put(
          status,
          r.counter(
              BulwarkMeter.JOBQUEUE_JOBS, Tags.of("name", name, "outcome", tagValue(status))));
    }
    Timer wait = r.timer(BulwarkMeter.JOBQUEUE_WAIT, tags);
    Counter handedBack = r.counter(BulwarkMeter.JOBQUEUE_HANDED_BACK, tags);
    r.listening(
        q.subscribe(
            e -> {
              switch (e) {
                case JobQueueEvent.Submitted s -> accepted.increment();
                case JobQueueEvent.Rejected x -> rejected.increment();
                case JobQueueEvent.Started s -> wait.record(s.waited());
                case JobQueueEvent.Finished f -> {
                  Counter c = ended.get(f.status());
                  if (c != null) {
                    c.increment();
                  }
                }
                case JobQueueEvent.Stopped s -> handedBack.increment(s.unfinished().size());
              }
            }));
  }
}
