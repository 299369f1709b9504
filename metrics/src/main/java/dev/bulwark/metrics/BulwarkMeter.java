package dev.bulwark.metrics;

import io.micrometer.core.instrument.Meter;
import java.util.List;

/**
 * Every meter Bulwark registers: its name, type, base unit, tag keys, meaning, and the resilience4j
 * meter it corresponds to. The binders create meters only from these constants, and a test checks
 * that the module's {@code METERS.md} table lists exactly these rows, so the documentation cannot
 * drift from the code.
 *
 * <p>Names follow Micrometer's conventions: dots, base units, tag {@code name} for the instance.
 * Tag values come from closed sets (enum constants of Bulwark); a {@code KeyedRateLimiter}'s keys
 * and exception types never become tags. In Prometheus dots become underscores, counters gain
 * {@code _total}, timers {@code _seconds_count}/{@code _seconds_sum}/{@code _seconds_max}.
 */
public enum BulwarkMeter {
  /** Calls and permits of a circuit breaker by outcome. */
  CIRCUITBREAKER_CALLS(
      "bulwark.circuitbreaker.calls",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Calls and permits by outcome: success, failure, ignored, refused",
      "resilience4j.circuitbreaker.calls (kind) and resilience4j.circuitbreaker.not.permitted.calls"),
  /** 1 for the breaker's current state, 0 for the others. */
  CIRCUITBREAKER_STATE(
      "bulwark.circuitbreaker.state",
      Meter.Type.GAUGE,
      null,
      List.of("name", "state"),
      "1 for the current state (closed, open, half_open, forced_open, disabled), 0 for the others",
      "resilience4j.circuitbreaker.state"),
  /** Failure rate of the breaker's window. */
  CIRCUITBREAKER_FAILURE_RATE(
      "bulwark.circuitbreaker.failure.rate",
      Meter.Type.GAUGE,
      "percent",
      List.of("name"),
      "Failure rate of the current window in percent, -1 below the minimum calls",
      "resilience4j.circuitbreaker.failure.rate"),
  /** Slow-call rate of the breaker's window. */
  CIRCUITBREAKER_SLOW_CALL_RATE(
      "bulwark.circuitbreaker.slow.call.rate",
      Meter.Type.GAUGE,
      "percent",
      List.of("name"),
      "Slow-call rate of the current window in percent, -1 below the minimum calls",
      "resilience4j.circuitbreaker.slow.call.rate"),
  /** Calls in the breaker's window. */
  CIRCUITBREAKER_BUFFERED_CALLS(
      "bulwark.circuitbreaker.buffered.calls",
      Meter.Type.GAUGE,
      null,
      List.of("name"),
      "Calls in the current window",
      "resilience4j.circuitbreaker.buffered.calls"),
  /** Slow calls in the breaker's window. */
  CIRCUITBREAKER_SLOW_CALLS(
      "bulwark.circuitbreaker.slow.calls",
      Meter.Type.GAUGE,
      null,
      List.of("name"),
      "Slow calls in the current window",
      "resilience4j.circuitbreaker.slow.calls"),
  /** Calls through a retry by outcome. */
  RETRY_CALLS(
      "bulwark.retry.calls",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Calls by outcome: success_without_retry, success_with_retry, failure_without_retry,"
          + " failure_with_retry",
      "resilience4j.retry.calls (kind)"),
  /** Retries a retry budget could grant now. */
  RETRYBUDGET_AVAILABLE(
      "bulwark.retrybudget.available",
      Meter.Type.GAUGE,
      null,
      List.of("name"),
      "Retries the budget would grant right now",
      null),
  /** Retries a budget granted and denied. */
  RETRYBUDGET_RETRIES(
      "bulwark.retrybudget.retries",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Retries and hedges asked of the budget by outcome: granted, denied",
      null),
  /** Permits of a bulkhead by outcome. */
  BULKHEAD_CALLS(
      "bulwark.bulkhead.calls",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Calls and permits by outcome: permitted, refused",
      null),
  /** Free permits of a bulkhead. */
  BULKHEAD_AVAILABLE_PERMITS(
      "bulwark.bulkhead.available.permits",
      Meter.Type.GAUGE,
      null,
      List.of("name"),
      "Permits free right now",
      "resilience4j.bulkhead.available.concurrent.calls"),
  /** The concurrency limit of a bulkhead. */
  BULKHEAD_LIMIT(
      "bulwark.bulkhead.limit",
      Meter.Type.GAUGE,
      null,
      List.of("name"),
      "Concurrency limit: maxConcurrentCalls, or an adaptive bulkhead's current limit",
      "resilience4j.bulkhead.max.allowed.concurrent.calls"),
  /** Requests to a rate limiter by outcome. */
  RATELIMITER_CALLS(
      "bulwark.ratelimiter.calls",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Requests by outcome: permitted, refused (one per request, whatever the permits)",
      null),
  /** Permits a rate limiter could grant now. */
  RATELIMITER_AVAILABLE_PERMITS(
      "bulwark.ratelimiter.available.permits",
      Meter.Type.GAUGE,
      null,
      List.of("name"),
      "Permits available right now (a single limiter only; a keyed one has one per key)",
      "resilience4j.ratelimiter.available.permissions"),
  /** Keys a keyed rate limiter holds in memory. */
  RATELIMITER_KEYS(
      "bulwark.ratelimiter.keys",
      Meter.Type.GAUGE,
      null,
      List.of("name"),
      "Keys a keyed limiter holds in memory (the keys themselves are never tags)",
      null),
  /** Calls through a timeout by outcome. */
  TIMEOUT_CALLS(
      "bulwark.timeout.calls",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Calls by outcome: success, failure, timeout",
      "resilience4j.timelimiter.calls (kind)"),
  /** Calls through a fallback by outcome. */
  FALLBACK_CALLS(
      "bulwark.fallback.calls",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Calls by outcome: success, fallback (the fallback answered), failure (passed on)",
      null),
  /** Calls through a hedge by outcome. */
  HEDGE_CALLS(
      "bulwark.hedge.calls",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Calls by outcome: success, failure",
      null),
  /** Extra attempts of a hedge. */
  HEDGE_ATTEMPTS(
      "bulwark.hedge.attempts",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Extra attempts due, by outcome: started, budget_denied",
      null),
  /** Batches of a fan-out by outcome. */
  FANOUT_BATCHES(
      "bulwark.fanout.batches",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Batches by outcome: completed, deadline (calls were unfinished at the deadline)",
      null),
  /** Calls of fan-out batches by outcome. */
  FANOUT_CALLS(
      "bulwark.fanout.calls",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Calls of the batches by outcome: success, failure, unfinished",
      null),
  /** Streams being written. */
  STREAM_ACTIVE(
      "bulwark.stream.active",
      Meter.Type.GAUGE,
      null,
      List.of("name"),
      "Streams being written right now",
      null),
  /** Streams ended or refused, by outcome. */
  STREAM_STREAMS(
      "bulwark.stream.streams",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Streams by how they ended: completed, client_gone, idle_timeout, total_timeout, cancelled,"
          + " source_failed, or rejected by the guard",
      null),
  /** Items written by ended streams. */
  STREAM_ITEMS(
      "bulwark.stream.items",
      Meter.Type.COUNTER,
      null,
      List.of("name"),
      "Items written, counted when each stream ends",
      null),
  /** Bytes written by ended streams. */
  STREAM_BYTES(
      "bulwark.stream.bytes",
      Meter.Type.COUNTER,
      "bytes",
      List.of("name"),
      "Bytes written, counted when each stream ends",
      null),
  /** Durations of ended streams. */
  STREAM_DURATION(
      "bulwark.stream.duration",
      Meter.Type.TIMER,
      "seconds",
      List.of("name", "outcome"),
      "How long each stream ran, by outcome",
      null),
  /** Readiness of a supervisor. */
  SUPERVISOR_READY(
      "bulwark.supervisor.ready",
      Meter.Type.GAUGE,
      null,
      List.of("name"),
      "1 while the supervisor may take traffic, else 0",
      null),
  /** Liveness of a supervisor. */
  SUPERVISOR_LIVE(
      "bulwark.supervisor.live",
      Meter.Type.GAUGE,
      null,
      List.of("name"),
      "0 once the supervisor failed, a component failed or a worker stalled, else 1",
      null),
  /** 1 for each component's current state. */
  SUPERVISOR_COMPONENT_STATE(
      "bulwark.supervisor.component.state",
      Meter.Type.GAUGE,
      null,
      List.of("name", "component", "state"),
      "1 for the component's current state (new, starting, running, restarting, stopping,"
          + " stopped, failed), 0 for the others",
      null),
  /** Health of each component. */
  SUPERVISOR_COMPONENT_HEALTHY(
      "bulwark.supervisor.component.healthy",
      Meter.Type.GAUGE,
      null,
      List.of("name", "component"),
      "1 if the component is healthy (not failed, heartbeat not stalled), else 0",
      null),
  /** Restarts of each component. */
  SUPERVISOR_COMPONENT_RESTARTS(
      "bulwark.supervisor.component.restarts",
      Meter.Type.COUNTER,
      null,
      List.of("name", "component"),
      "Restarts of the component",
      null),
  /** Time since each worker's last heartbeat. */
  SUPERVISOR_COMPONENT_HEARTBEAT_AGE(
      "bulwark.supervisor.component.heartbeat.age",
      Meter.Type.GAUGE,
      "seconds",
      List.of("name", "component"),
      "Time since the worker's last heartbeat; NaN for other components and stopped workers",
      null),
  /** How long the last stop took. */
  SUPERVISOR_SHUTDOWN_DURATION(
      "bulwark.supervisor.shutdown.duration",
      Meter.Type.GAUGE,
      "seconds",
      List.of("name"),
      "How long the last stop took; NaN before the first stop",
      null),
  /** Components of the last stop by how they ended. */
  SUPERVISOR_SHUTDOWN_COMPONENTS(
      "bulwark.supervisor.shutdown.components",
      Meter.Type.GAUGE,
      null,
      List.of("name", "outcome"),
      "Components of the last stop by outcome: graceful, interrupted, abandoned, not_running",
      null),
  /** Jobs waiting in a job queue. */
  JOBQUEUE_QUEUED(
      "bulwark.jobqueue.queued",
      Meter.Type.GAUGE,
      null,
      List.of("name"),
      "Jobs waiting to run",
      null),
  /** Jobs running in a job queue. */
  JOBQUEUE_RUNNING(
      "bulwark.jobqueue.running", Meter.Type.GAUGE, null, List.of("name"), "Jobs running", null),
  /** Jobs submitted to a job queue by outcome. */
  JOBQUEUE_SUBMITTED(
      "bulwark.jobqueue.submitted",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Submissions by outcome: accepted, rejected",
      null),
  /** Jobs of a job queue that ended, by status. */
  JOBQUEUE_JOBS(
      "bulwark.jobqueue.jobs",
      Meter.Type.COUNTER,
      null,
      List.of("name", "outcome"),
      "Jobs that ended, by status: succeeded, failed, cancelled",
      null),
  /** How long jobs waited before they ran. */
  JOBQUEUE_WAIT(
      "bulwark.jobqueue.wait",
      Meter.Type.TIMER,
      "seconds",
      List.of("name"),
      "How long each job waited in the queue before it started",
      null),
  /** Jobs handed back unfinished on stop. */
  JOBQUEUE_HANDED_BACK(
      "bulwark.jobqueue.handed.back",
      Meter.Type.COUNTER,
      null,
      List.of("name"),
      "Jobs handed back unfinished when the queue stopped",
      null);

  private final String meterName;
  private final Meter.Type type;
  private final String baseUnit;
  private final List<String> tagKeys;
  private final String description;
  private final String resilience4j;

  BulwarkMeter(
      String meterName,
      Meter.Type type,
      String baseUnit,
      List<String> tagKeys,
      String description,
      String resilience4j) {
    this.meterName = meterName;
    this.type = type;
    this.baseUnit = baseUnit;
    this.tagKeys = tagKeys;
    this.description = description;
    this.resilience4j = resilience4j;
  }

  /**
   * Returns the meter's Micrometer name.
   *
   * @return the name, e.g. {@code bulwark.circuitbreaker.calls}
   */
  public String meterName() {
    return meterName;
  }

  /**
   * Returns the meter's type (a function counter is a {@link Meter.Type#COUNTER COUNTER}).
   *
   * @return the type
   */
  public Meter.Type type() {
    return type;
  }

  /**
   * Returns the meter's base unit, or null if it counts things.
   *
   * @return the unit, or null
   */
  public String baseUnit() {
    return baseUnit;
  }

  /**
   * Returns the meter's tag keys, {@code name} first.
   *
   * @return the tag keys
   */
  public List<String> tagKeys() {
    return tagKeys;
  }

  /**
   * Returns what the meter measures.
   *
   * @return the description
   */
  public String description() {
    return description;
  }

  /**
   * Returns the resilience4j meter this one corresponds to, or null if resilience4j has none.
   *
   * @return the resilience4j meter name, or null
   */
  public String resilience4j() {
    return resilience4j;
  }
}
