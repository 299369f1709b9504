package dev.bulwark.metrics;

import dev.bulwark.lifecycle.JobQueue;
import dev.bulwark.lifecycle.Supervisor;
import dev.bulwark.resilience.bulkhead.AdaptiveBulkhead;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.fallback.Fallback;
import dev.bulwark.resilience.fanout.FanOut;
import dev.bulwark.resilience.hedge.Hedge;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.retry.RetryBudget;
import dev.bulwark.resilience.timeout.Timeout;
import dev.bulwark.streaming.StreamWriter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Micrometer meters for Bulwark's policies, streams, supervisors and job queues.
 *
 * <pre>{@code
 * MeterBinding metrics = BulwarkMetrics.bind(registry, breaker, retry, bulkhead, limiter, writer);
 * // ... on shutdown, or when the components go away:
 * metrics.close(); // removes every meter and listener again
 * }</pre>
 *
 * <p>Meters that count calls read the totals each policy keeps ({@code callCounts()}), started by
 * the binding: no event is built and no lock is taken per call. Listeners count only rare things
 * (stream ends, job ends, hedges). Every meter is listed in {@link BulwarkMeter}.
 */
public final class BulwarkMetrics {

  private BulwarkMetrics() {}

  /**
   * Binds the meters of every component given to {@code registry}.
   *
   * @param registry the registry
   * @param components policies ({@link CircuitBreaker}, {@link Retry}, {@link Bulkhead}, {@link
   *     AdaptiveBulkhead}, {@link RateLimiter}, {@link KeyedRateLimiter}, {@link Timeout}, {@link
   *     Hedge}, {@link Fallback}, {@link FanOut}), {@link StreamWriter}s, {@link Supervisor}s and
   *     {@link JobQueue}s; a {@link RetryBudget} has no name, so bind it with {@link #of(String,
   *     RetryBudget)}
   * @return the binding, bound; close it to remove the meters again
   * @throws IllegalArgumentException if a component is of another type
   * @throws NullPointerException if the registry or a component is null
   */
  public static MeterBinding bind(MeterRegistry registry, Object... components) {
    Objects.requireNonNull(registry, "registry");
    MeterBinding binding = of(components);
    binding.bindTo(registry);
    return binding;
  }

  /**
   * Returns an unbound binding of every component given; see {@link #bind(MeterRegistry,
   * Object...)}.
   *
   * @param components the components
   * @return the binding, not yet bound
   * @throws IllegalArgumentException if a component is of another type
   * @throws NullPointerException if a component is null
   */
  public static MeterBinding of(Object... components) {
    Objects.requireNonNull(components, "components");
    List<Consumer<Registrar>> binders = new ArrayList<>();
    for (Object c : components) {
      binders.add(binderOf(c));
    }
    return new MeterBinding(binders);
  }

  /**
   * Returns an unbound binding of a circuit breaker's meters.
   *
   * @param breaker the breaker
   * @return the binding
   * @throws NullPointerException if {@code breaker} is null
   */
  public static MeterBinding of(CircuitBreaker breaker) {
    return one(binderOf(breaker));
  }

  /**
   * Returns an unbound binding of a retry's meters.
   *
   * @param retry the retry
   * @return the binding
   * @throws NullPointerException if {@code retry} is null
   */
  public static MeterBinding of(Retry retry) {
    return one(binderOf(retry));
  }

  /**
   * Returns an unbound binding of a retry budget's meters, tagged with {@code name} (a budget is
   * shared and has no name of its own).
   *
   * @param name the tag value {@code name}
   * @param budget the budget
   * @return the binding
   * @throws NullPointerException if an argument is null
   */
  public static MeterBinding of(String name, RetryBudget budget) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(budget, "budget");
    return one(r -> Binders.retryBudget(r, name, budget));
  }

  /**
   * Returns an unbound binding of a bulkhead's meters.
   *
   * @param bulkhead the bulkhead
   * @return the binding
   * @throws NullPointerException if {@code bulkhead} is null
   */
  public static MeterBinding of(Bulkhead bulkhead) {
    return one(binderOf(bulkhead));
  }

  /**
   * Returns an unbound binding of a rate limiter's meters.
   *
   * @param limiter the limiter
   * @return the binding
   * @throws NullPointerException if {@code limiter} is null
   */
  public static MeterBinding of(RateLimiter limiter) {
    return one(binderOf(limiter));
  }

  /**
   * Returns an unbound binding of a stream writer's meters.
   *
   * @param writer the writer
   * @return the binding
   * @throws NullPointerException if {@code writer} is null
   */
  public static MeterBinding of(StreamWriter<?> writer) {
    return one(binderOf(writer));
  }

  /**
   * Returns an unbound binding of a supervisor's meters.
   *
   * @param supervisor the supervisor
   * @return the binding
   * @throws NullPointerException if {@code supervisor} is null
   */
  public static MeterBinding of(Supervisor supervisor) {
    return one(binderOf(supervisor));
  }

  /**
   * Returns an unbound binding of a job queue's meters.
   *
   * @param queue the queue
   * @return the binding
   * @throws NullPointerException if {@code queue} is null
   */
  public static MeterBinding of(JobQueue<?> queue) {
    return one(binderOf(queue));
  }

  private static MeterBinding one(Consumer<Registrar> binder) {
    return new MeterBinding(List.of(binder));
  }

  private static Consumer<Registrar> binderOf(Object component) {
    Objects.requireNonNull(component, "component");
    return switch (component) {
      case CircuitBreaker b -> r -> Binders.circuitBreaker(r, b);
      case Retry b -> r -> Binders.retry(r, b);
      case Bulkhead b -> r -> Binders.bulkhead(r, b);
      case AdaptiveBulkhead b -> r -> Binders.adaptiveBulkhead(r, b);
      case RateLimiter b -> r -> Binders.rateLimiter(r, b);
      case KeyedRateLimiter<?> b -> r -> Binders.keyedRateLimiter(r, b);
      case Timeout b -> r -> Binders.timeout(r, b);
      case Fallback<?> b -> r -> Binders.fallback(r, b);
      case Hedge b -> r -> Binders.hedge(r, b);
      case FanOut b -> r -> Binders.fanOut(r, b);
      case StreamWriter<?> b -> r -> Binders.streamWriter(r, b);
      case Supervisor b -> r -> Binders.supervisor(r, b);
      case JobQueue<?> b -> r -> Binders.jobQueue(r, b);
      case RetryBudget b ->
          throw new IllegalArgumentException(
              "a RetryBudget has no name: bind it with BulwarkMetrics.of(name, budget)");
      default ->
          throw new IllegalArgumentException(
              "no meters for "
                  + component.getClass().getName()
                  + "; expected a Bulwark policy, StreamWriter, Supervisor or JobQueue");
    };
  }
}
