package dev.bulwark.ratelimit.redis;

import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Pipeline;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.circuitbreaker.CircuitBreakerEvent;
import dev.bulwark.resilience.circuitbreaker.SlidingWindow;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Listeners;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimiterStore;
import dev.bulwark.resilience.timeout.Timeout;
import dev.bulwark.resilience.timeout.TimeoutExceededException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A {@link RateLimiterStore} on Redis: the buckets of every {@link RateLimiter} and {@link
 * KeyedRateLimiter} built with it are shared by every process that uses the same Redis and key
 * prefix.
 *
 * <pre>{@code
 * RedisRateLimiterStore store = RedisRateLimiterStore.builder("limits", connection)
 *     .onRedisFailure(FailureMode.localLimit(4))   // required: there is no silent default
 *     .build();
 * RateLimiter partner = RateLimiter.builder("partner").rate(200, Duration.ofSeconds(1))
 *     .burst(20).store(store).build();
 * KeyedRateLimiter<String> perClient = KeyedRateLimiter.builder("api")
 *     .rate(60, Duration.ofMinutes(1)).store(store).build();
 * }</pre>
 *
 * <p><b>One round trip, no retries.</b> Each decision is one {@code EVALSHA} of a Lua script that
 * reads Redis's own {@code TIME}, applies the GCRA of the core limiters to the key and writes it
 * back, atomically on the server: one shared clock for every instance, no compare-and-set to lose
 * under a hot key. The script is invoked by its SHA-1 and loaded again when Redis answers {@code
 * NOSCRIPT} (after a restart or {@code SCRIPT FLUSH}). Each bucket is one Redis key, {@code prefix
 * + key} (a {@link RateLimiter} uses its name as key), so it works on Redis Cluster as is, and
 * expires ({@code PX}) when its bucket has refilled: an idle key costs no memory.
 *
 * <p><b>Units.</b> Redis's clock has microseconds, so waits and retry-afters are exact to the
 * microsecond (rounded up), not to the nanosecond as in memory. The script keeps every quantity an
 * integer below 2<sup>53</sup>; a shape whose burst takes longer than about 2<sup>50</sup> units of
 * {@code 1/q} µs to refill (years, at usual rates) is refused with an {@link
 * IllegalArgumentException} on first use.
 *
 * <p><b>When Redis is slow or down.</b> Every Redis call is guarded by a Bulwark {@link Timeout}
 * (default 100 ms) inside a {@link CircuitBreaker} (by default: opens when half of the last 20
 * calls, at least 10, failed; stays open 2 s, then lets 3 calls probe). A dead Redis therefore
 * costs a caller at most the timeout, and once the breaker is open, nothing: no call touches the
 * network until a probe succeeds. The decision then falls to the {@link FailureMode} that the
 * builder requires: refuse, allow and count, or a local share of the limit. Each such decision is
 * published as a {@link RedisStoreEvent.Degraded}; breaker transitions and script loads are
 * published too.
 *
 * <p>Use one Lettuce connection for the store (commands of all callers are pipelined on it); the
 * store never opens or closes connections. Consider {@code
 * ClientOptions.disconnectedBehavior(REJECT_COMMANDS)} so that calls fail at once, rather than at
 * the timeout, while the connection is down.
 */
public final class RedisRateLimiterStore
    implements RateLimiterStore<String>, EventSource<RedisStoreEvent> {

  private static final String[] NO_ARGS = new String[0];

  /** The largest tolerance (burst cost) in units the script's doubles keep exact with room. */
  private static final long MAX_TOLERANCE_UNITS = 1L << 50;

  /** The largest max wait in units passed to the script; longer waits are capped to it. */
  private static final long MAX_WAIT_UNITS = 1L << 51;

  private final String name;
  private final RedisScriptingCommands<String, String> redis;
  private final String prefix;
  private final FailureMode failureMode;
  private final Pipeline guard;
  private final CircuitBreaker breaker;
  private final Listeners<RedisStoreEvent> listeners;
  private final RateLimiterStore<String> local;
  private final ConcurrentHashMap<Limit, Shape> shapes = new ConcurrentHashMap<>();
  private final LongAdder failedOpen = new LongAdder();
  private final LongAdder degraded = new LongAdder();
  private final LongSupplier clockMicros;
  private final Script script = Script.GCRA;

  /** A limit's arithmetic on the script's microsecond time base; see {@link Script}. */
  private record Shape(String a, String q, String tolerance, long qValue, Limit fallback) {}

  private RedisRateLimiterStore(Builder b) {
    this.name = b.name;
    this.redis = b.commands;
    this.prefix = b.keyPrefix;
    this.failureMode = b.failureMode;
    this.clockMicros = b.clockMicros;
    this.listeners = new Listeners<>("Redis rate limiter store '" + b.name + "'");
    this.breaker =
        b.breaker != null
            ? b.breaker
            : CircuitBreaker.builder(b.name + "-redis")
                .slidingWindow(SlidingWindow.count(20))
                .minimumCalls(10)
                .failureRateThreshold(50)
                .openDuration(Duration.ofSeconds(2))
                .permittedCallsInHalfOpen(3)
                .timeSource(b.timeSource)
                .build();
    Timeout timeout =
        Timeout.builder(b.name + "-redis-timeout")
            .timeout(b.timeout)
            .timeSource(b.timeSource)
            .build();
    this.guard = Pipeline.of(breaker, timeout);
    this.local = RateLimiterStore.inMemory(b.timeSource);
    breaker.subscribe(
        e -> {
          if (e instanceof CircuitBreakerEvent.StateTransition t && !listeners.isEmpty()) {
            listeners.publish(new RedisStoreEvent.BreakerTransition(name, t.from(), t.to()));
          }
        });
  }

  /**
   * Starts a store on a standalone or Sentinel-managed Redis, through the given connection, which
   * the store uses for every decision and never closes.
   *
   * @param name the store's name, for its events, its breaker and its refusals
   * @param connection the connection, with String keys and values
   * @return a builder
   */
  public static Builder builder(String name, StatefulRedisConnection<String, String> connection) {
    return new Builder(name, connection == null ? null : connection.sync());
  }

  /**
   * Starts a store on a Redis Cluster, through the given connection, which the store uses for every
   * decision and never closes. Each bucket is one key, so each decision goes to one node.
   *
   * @param name the store's name, for its events, its breaker and its refusals
   * @param connection the cluster connection, with String keys and values
   * @return a builder
   */
  public static Builder builder(
      String name, StatefulRedisClusterConnection<String, String> connection) {
    return new Builder(name, connection == null ? null : connection.sync());
  }

  /**
   * Returns the store's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the circuit breaker that guards Redis, to read its state or metrics.
   *
   * @return the breaker
   */
  public CircuitBreaker circuitBreaker() {
    return breaker;
  }

  /**
   * Returns how many decisions let a call through because Redis was unavailable, in the {@link
   * FailureMode#failOpen() fail-open} mode.
   *
   * @return the count since the store was built
   */
  public long failedOpen() {
    return failedOpen.sum();
  }

  /**
   * Returns how many decisions the failure mode made instead of Redis, granted or not.
   *
   * @return the count since the store was built
   */
  public long degradedDecisions() {
    return degraded.sum();
  }

  @Override
  public long acquire(String key, Limit limit, int permits, long maxWaitNanos) {
    Shape shape = shape(limit);
    long maxWaitUnits = maxWaitUnits(maxWaitNanos, shape.qValue);
    long result;
    try {
      result = eval(key, "a", shape, permits, maxWaitUnits);
    } catch (RejectedException | TimeoutExceededException | RedisException e) {
      return degradedAcquire(key, limit, shape, permits, maxWaitNanos, e);
    }
    return result * 1_000;
  }

  @Override
  public void refund(String key, Limit limit, int permits) {
    Shape shape = shape(limit);
    try {
      eval(key, "r", shape, permits, 0);
    } catch (RejectedException | TimeoutExceededException | RedisException e) {
      if (failureMode instanceof FailureMode.LocalLimit) {
        local.refund(key, shape.fallback, permits);
      }
      publishDegraded(limit, false, e);
    }
  }

  @Override
  public int availablePermits(String key, Limit limit) {
    Shape shape = shape(limit);
    try {
      return (int) eval(key, "p", shape, 1, 0);
    } catch (RejectedException | TimeoutExceededException | RedisException e) {
      return switch (failureMode) {
        case FailureMode.FailClosed c -> 0;
        case FailureMode.FailOpen o -> limit.burst();
        case FailureMode.LocalLimit l -> local.availablePermits(key, shape.fallback);
      };
    }
  }

  private long degradedAcquire(
      String key, Limit limit, Shape shape, int permits, long maxWaitNanos, RuntimeException e) {
    degraded.increment();
    switch (failureMode) {
      case FailureMode.FailClosed c -> {
        publishDegraded(limit, false, e);
        Duration retryAfter = e instanceof RejectedException r ? r.retryAfter().orElse(null) : null;
        throw new RedisUnavailableException(
            limit.name(),
            retryAfter,
            "rate limiter '"
                + limit.name()
                + "' refused: its Redis store '"
                + name
                + "' could not decide ("
                + describe(e)
                + ") and fails closed"
                + (retryAfter == null
                    ? ""
                    : "; Redis is asked again in " + Durations.format(retryAfter)),
            e);
      }
      case FailureMode.FailOpen o -> {
        failedOpen.increment();
        publishDegraded(limit, true, e);
        return 0;
      }
      case FailureMode.LocalLimit l -> {
        int localPermits = Math.min(permits, shape.fallback.burst());
        long result = local.acquire(key, shape.fallback, localPermits, maxWaitNanos);
        publishDegraded(limit, result >= 0, e);
        return result;
      }
    }
  }

  private static String describe(RuntimeException e) {
    return switch (e) {
      case TimeoutExceededException t -> "no answer within " + Durations.format(t.timeout());
      case RejectedException r -> "its circuit breaker is open";
      default -> e.getClass().getSimpleName() + ": " + e.getMessage();
    };
  }

  private void publishDegraded(Limit limit, boolean granted, Throwable cause) {
    if (!listeners.isEmpty()) {
      listeners.publish(
          new RedisStoreEvent.Degraded(name, limit.name(), failureMode, granted, cause));
    }
  }

  /** Runs the script through the breaker and the timeout; loads it again on NOSCRIPT. */
  private long eval(String key, String op, Shape shape, int permits, long maxWaitUnits) {
    String[] keys = {prefix + key};
    String[] args;
    String n = Integer.toString(permits);
    String maxWait = Long.toString(maxWaitUnits);
    if (clockMicros == null) {
      args = new String[] {op, shape.a, shape.q, shape.tolerance, n, maxWait};
    } else {
      long micros = clockMicros.getAsLong();
      args =
          new String[] {
            op,
            shape.a,
            shape.q,
            shape.tolerance,
            n,
            maxWait,
            Long.toString(Math.floorDiv(micros, 1_000_000L)),
            Long.toString(Math.floorMod(micros, 1_000_000L))
          };
    }
    boolean[] loaded = {false};
    Long result =
        guard.call(
            () -> {
              try {
                return redis.evalsha(script.sha, ScriptOutputType.INTEGER, keys, args);
              } catch (RedisNoScriptException e) {
                String sha = redis.scriptLoad(script.text);
                loaded[0] = true;
                if (!sha.equals(script.sha)) {
                  throw new IllegalStateException(
                      "Redis loaded the rate limiter script as " + sha + ", not " + script.sha);
                }
                return redis.evalsha(script.sha, ScriptOutputType.INTEGER, keys, args);
              }
            });
    if (loaded[0] && !listeners.isEmpty()) {
      listeners.publish(new RedisStoreEvent.ScriptLoaded(name, script.sha));
    }
    return result;
  }

  private Shape shape(Limit limit) {
    Shape s = shapes.get(limit);
    return s != null ? s : shapes.computeIfAbsent(limit, this::newShape);
  }

  /**
   * Time in the script is counted in units of {@code 1/q} µs, where the cost of a permit, {@code
   * period / permits}, is {@code a / q} µs in lowest terms: so every permit costs exactly {@code a}
   * units, as in memory.
   */
  private Shape newShape(Limit limit) {
    long periodNanos = limit.period().toNanos();
    long perMicro = 1_000L * limit.permits();
    long g = gcd(periodNanos, perMicro);
    long a = periodNanos / g;
    long q = perMicro / g;
    Checks.require(
        q <= (1L << 31) && a <= MAX_TOLERANCE_UNITS / limit.burst(),
        "rate limiter '"
            + limit.name()
            + "': burst "
            + limit.burst()
            + " at "
            + limit.permits()
            + " per "
            + Durations.format(limit.period())
            + " cannot be decided exactly on Redis's microsecond clock; lower the burst or use a"
            + " period of whole microseconds");
    Limit fallback = null;
    if (failureMode instanceof FailureMode.LocalLimit l) {
      int instances = l.expectedInstances();
      fallback =
          Limit.of(
              limit.name(),
              limit.permits(),
              limit.period().multipliedBy(instances),
              Math.max(1, (limit.burst() + instances - 1) / instances));
    }
    return new Shape(
        Long.toString(a), Long.toString(q), Long.toString(a * limit.burst()), q, fallback);
  }

  private static long maxWaitUnits(long maxWaitNanos, long q) {
    long micros = maxWaitNanos / 1_000;
    if (micros >= MAX_WAIT_UNITS / q) {
      return MAX_WAIT_UNITS;
    }
    return micros * q + (maxWaitNanos % 1_000) * q / 1_000;
  }

  private static long gcd(long x, long y) {
    while (y != 0) {
      long t = x % y;
      x = y;
      y = t;
    }
    return x;
  }

  @Override
  public Subscription subscribe(Consumer<? super RedisStoreEvent> listener) {
    return listeners.subscribe(listener);
  }

  @Override
  public String toString() {
    return "RedisRateLimiterStore[" + name + ", prefix '" + prefix + "', " + failureMode + "]";
  }

  /** Builds a {@link RedisRateLimiterStore}; {@link #build()} validates every setting. */
  public static final class Builder {
    private final String name;
    private final RedisScriptingCommands<String, String> commands;
    private String keyPrefix = "bulwark:ratelimit:";
    private FailureMode failureMode;
    private Duration timeout = Duration.ofMillis(100);
    private CircuitBreaker breaker;
    private boolean breakerSet;
    private TimeSource timeSource = TimeSource.system();
    private LongSupplier clockMicros;

    private Builder(String name, RedisScriptingCommands<String, String> commands) {
      this.name = name;
      this.commands = commands;
    }

    /**
     * Sets the prefix of every bucket's Redis key (default {@code "bulwark:ratelimit:"}). Stores
     * that must not share buckets need different prefixes.
     *
     * @param keyPrefix the prefix, possibly empty
     * @return this builder
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
      return this;
    }

    /**
     * Sets what is decided while Redis is unavailable. Required: see {@link FailureMode}.
     *
     * @param mode fail closed, fail open, or a local share of the limit
     * @return this builder
     */
    public Builder onRedisFailure(FailureMode mode) {
      this.failureMode = mode;
      return this;
    }

    /**
     * Sets how long a decision waits for Redis before the failure mode decides (default 100 ms).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /**
     * Replaces the default circuit breaker that guards Redis.
     *
     * @param breaker the breaker; every failed or timed-out Redis call is recorded in it
     * @return this builder
     */
    public Builder circuitBreaker(CircuitBreaker breaker) {
      this.breaker = breaker;
      this.breakerSet = true;
      return this;
    }

    /**
     * Sets the time source of the timeout, the default breaker and the local fallback limit
     * (default {@link TimeSource#system()}); decisions on Redis use Redis's clock.
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /** For tests: decide on this clock (microseconds since the epoch) instead of Redis's TIME. */
    Builder clockMicrosForTests(LongSupplier clockMicros) {
      this.clockMicros = clockMicros;
      return this;
    }

    /**
     * Validates the settings and builds the store. It does not touch Redis: the script is loaded by
     * the first decision.
     *
     * @return the store
     * @throws IllegalStateException if no failure mode was set
     * @throws IllegalArgumentException if the name is blank or the timeout is not positive
     * @throws NullPointerException if the name, connection, key prefix, timeout, time source, or a
     *     breaker that was set, is null
     */
    public RedisRateLimiterStore build() {
      Checks.notNull(name, "name");
      Checks.require(!name.isBlank(), "name must not be blank, was '" + name + "'");
      Checks.notNull(commands, "connection");
      Checks.notNull(keyPrefix, "keyPrefix");
      if (failureMode == null) {
        throw new IllegalStateException(
            "onRedisFailure is required: set it with .onRedisFailure(FailureMode)");
      }
      Checks.positive(timeout, "timeout");
      Checks.notNull(timeSource, "timeSource");
      if (breakerSet) {
        Checks.notNull(breaker, "circuitBreaker");
      }
      return new RedisRateLimiterStore(this);
    }
  }
}
