package dev.bulwark.resilience.ratelimit;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.CallCounts;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Listeners;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One token bucket per key — a client id, a tenant, an API key — all with the same rate, in bounded
 * memory.
 *
 * <pre>{@code
 * KeyedRateLimiter<String> perClient = KeyedRateLimiter.builder("api")
 *     .rate(100, Duration.ofSeconds(1))
 *     .burst(20)
 *     .maxKeys(50_000)
 *     .build();
 * if (!perClient.tryAcquire(clientId)) { ... respond 429 ... }
 * Reply r = perClient.call(clientId, () -> handle(request));
 * }</pre>
 *
 * <p>Each key behaves exactly like a {@link RateLimiter} with the same settings: same exact,
 * immediate refusals, same reservations for waiters. Refusals name the limiter and say "for this
 * key" but never the key itself, which may be a secret (an API key); events carry no key either.
 *
 * <p><b>Bounded memory.</b> A key's bucket is created on its first request and kept in memory until
 * it is dropped; at most {@link Builder#maxKeys(int) maxKeys} buckets exist at any instant, so a
 * flood of made-up keys cannot exhaust the heap. A bucket is dropped as idle once it has been full
 * for {@code expireAfterIdle - refillTime}, which is no later than {@link
 * Builder#expireAfterIdle(Duration) expireAfterIdle} after its key's last request. The default
 * {@code expireAfterIdle} is the {@linkplain Config#refillTime() refill time}, the time an empty
 * bucket takes to fill up: an idle bucket that old is full, exactly like the fresh bucket its key
 * would get after the drop, so dropping it loses nothing. A shorter expiry is refused for that
 * reason. Idle buckets are dropped lazily (when new keys arrive, or on {@link #cleanUp()}); no
 * thread is started.
 *
 * <p>When {@code maxKeys} buckets exist and a new key arrives, full buckets go first. Only if more
 * than {@code maxKeys} keys are active at once are buckets that have not refilled dropped too — the
 * fullest first — and each such key may then take up to one burst more than its rate before its new
 * bucket empties; {@link RateLimiterEvent.KeysEvicted} counts these. Size {@code maxKeys} above the
 * number of keys active within one refill time and this never happens.
 *
 * <p>The hot path (a key that has a bucket) takes no lock and allocates nothing: two hash lookups
 * and one compare-and-set. Creating a bucket for a new key allocates it; making room at the bound
 * takes a lock that only new keys contend for.
 *
 * @param <K> the type of the keys; they need {@code equals} and {@code hashCode}
 */
public final class KeyedRateLimiter<K> implements EventSource<RateLimiterEvent> {

  /**
   * The configuration of a keyed limiter, as built.
   *
   * @param permits the permits added to each key's bucket per period
   * @param period the period over which {@code permits} are added, evenly
   * @param burst the most permits a bucket holds
   * @param maxWait how long {@link KeyedRateLimiter#call} waits for a permit before it refuses
   * @param maxKeys the most buckets held in memory at once (in-memory store only)
   * @param expireAfterIdle the latest an idle bucket is dropped after its last use (in-memory store
   *     only; a distributed store should keep keys at least this long)
   */
  public record Config(
      int permits,
      Duration period,
      int burst,
      Duration maxWait,
      int maxKeys,
      Duration expireAfterIdle) {

    /**
     * Returns the time an empty bucket takes to fill up again: {@code burst × period / permits},
     * rounded up to the nanosecond.
     *
     * @return the refill time
     */
    public Duration refillTime() {
      return Gcra.refillTime(permits, period.toNanos(), burst);
    }
  }

  private final Config config;
  private final Engine<K> engine;
  private final Listeners<RateLimiterEvent> listeners;
  private final InMemoryKeyStore<K> memory;
  private final long maxWaitNanos;

  private KeyedRateLimiter(Builder<?> b, Config config, RateLimiterStore<K> custom) {
    this.config = config;
    this.listeners = new Listeners<>("rate limiter '" + b.name + "'");
    this.maxWaitNanos = Durations.saturatedNanos(config.maxWait);
    RateLimiterStore.Limit limit =
        new RateLimiterStore.Limit(b.name, config.permits, config.period, config.burst);
    long expireNanos = Durations.saturatedNanos(config.expireAfterIdle);
    if (custom == null) {
      this.memory =
          new InMemoryKeyStore<>(
              b.name,
              config.maxKeys,
              b.timeSource,
              expireNanos - limit.gcra.refillNanos,
              Math.max(expireNanos, MIN_SWEEP_INTERVAL_NANOS),
              evicted -> {
                if (!listeners.isEmpty()) {
                  listeners.publish(evicted);
                }
              });
    } else {
      this.memory = null;
    }
    this.engine =
        new Engine<>(
            b.name, limit, custom == null ? memory : custom, b.timeSource, listeners, true);
  }

  /** Idle sweeps triggered by new keys run at most this often. */
  private static final long MIN_SWEEP_INTERVAL_NANOS = 1_000_000_000L;

  /**
   * Starts a keyed limiter. Set its {@link Builder#rate(int, Duration) rate}; everything else has a
   * default. The key type is inferred from where the result goes: {@code KeyedRateLimiter<String> l
   * = KeyedRateLimiter.builder("api").rate(...).build()} or {@code KeyedRateLimiter.Builder<String>
   * b = KeyedRateLimiter.builder("api")}. Where nothing fixes it ({@code var}), use {@link
   * #builder(String, Class)}.
   *
   * @param name the name refusals, events and metrics carry
   * @param <K> the key type
   * @return a builder; {@link Builder#build()} refuses a null or blank name
   */
  public static <K> Builder<K> builder(String name) {
    return new Builder<>(name);
  }

  /**
   * Starts a keyed limiter whose key type is given, for code that does not name the limiter's type:
   * {@code var perClient = KeyedRateLimiter.builder("api", String.class).rate(...).build()} is a
   * {@code KeyedRateLimiter<String>}.
   *
   * @param name the name refusals, events and metrics carry
   * @param keyType the class of the keys; used only to type the builder
   * @param <K> the key type
   * @return a builder; {@link Builder#build()} refuses a null or blank name
   * @throws NullPointerException if {@code keyType} is null
   */
  public static <K> Builder<K> builder(String name, Class<K> keyType) {
    Checks.notNull(keyType, "keyType");
    return new Builder<>(name);
  }

  /**
   * Returns the name this limiter was built with.
   *
   * @return the name
   */
  public String name() {
    return engine.name;
  }

  /**
   * Returns this limiter's configuration.
   *
   * @return the configuration as built
   */
  public Config config() {
    return config;
  }

  /**
   * Takes one permit from the key's bucket if one is available now; never waits.
   *
   * @param key the key
   * @return true if the permit was taken
   * @throws NullPointerException if {@code key} is null
   */
  public boolean tryAcquire(K key) {
    return engine.tryAcquire(Checks.notNull(key, "key"), 1);
  }

  /**
   * Takes {@code permits} from the key's bucket if they are all available now; never waits.
   *
   * @param key the key
   * @param permits how many, from 1 to the burst
   * @return true if the permits were taken
   * @throws IllegalArgumentException if {@code permits} is less than 1 or more than the burst
   * @throws NullPointerException if {@code key} is null
   */
  public boolean tryAcquire(K key, int permits) {
    return engine.tryAcquire(Checks.notNull(key, "key"), permits);
  }

  /**
   * Takes {@code permits} from the key's bucket if they are all available now and otherwise says
   * exactly when they would be; never waits. Behaves as {@link RateLimiter#decide(int)}.
   *
   * @param key the key
   * @param permits how many, from 1 to the burst
   * @return {@link Decision#GRANTED} if the permits were taken, else a refusal carrying when they
   *     would be ready
   * @throws IllegalArgumentException if {@code permits} is less than 1 or more than the burst
   * @throws NullPointerException if {@code key} is null
   */
  public Decision decide(K key, int permits) {
    return Decision.of(engine.decide(Checks.notNull(key, "key"), permits));
  }

  /**
   * Takes {@code permits} from the key's bucket, waiting for them only if they will be ready within
   * {@code maxWait}; otherwise refuses at once. Behaves as {@link RateLimiter#acquire(int,
   * Duration)}, reservation and its return on interrupt included.
   *
   * @param key the key
   * @param permits how many, from 1 to the burst
   * @param maxWait the longest this caller will wait; zero never waits
   * @throws RateLimitedException if the permits would not be ready within {@code maxWait}
   * @throws InterruptedException if the thread is interrupted before or while it waits; it then
   *     holds no permits
   * @throws IllegalArgumentException if {@code permits} is less than 1 or more than the burst, or
   *     {@code maxWait} is negative
   * @throws NullPointerException if {@code key} or {@code maxWait} is null
   */
  public void acquire(K key, int permits, Duration maxWait) throws InterruptedException {
    engine.acquire(Checks.notNull(key, "key"), permits, maxWait);
  }

  /**
   * Runs {@code call} once the key's bucket gives it a permit, waiting at most the configured max
   * wait (by default not at all).
   *
   * @param key the key
   * @param call the call
   * @param <T> the call's result type
   * @param <X> the call's checked exception type
   * @return the call's result
   * @throws X the call's own failure, unwrapped
   * @throws RateLimitedException if no permit is ready within the max wait
   * @throws java.util.concurrent.CancellationException if the thread is interrupted while it waits
   *     (its interrupt status is then set again and the call does not run)
   * @throws NullPointerException if {@code key} or {@code call} is null
   */
  public <T, X extends Exception> T call(K key, Call<T, X> call) throws X {
    Checks.notNull(key, "key");
    Checks.notNull(call, "call");
    engine.acquireForCall(key, config.maxWait, maxWaitNanos);
    return call.call();
  }

  /**
   * Returns a {@link Policy} that limits calls by the given key's bucket, for use in a {@link
   * dev.bulwark.resilience.Pipeline}.
   *
   * @param key the key
   * @return a policy named after this limiter
   * @throws NullPointerException if {@code key} is null
   */
  public Policy forKey(K key) {
    Checks.notNull(key, "key");
    return new Policy() {
      @Override
      public String name() {
        return engine.name;
      }

      @Override
      public <T, X extends Exception> T call(Call<T, X> call) throws X {
        return KeyedRateLimiter.this.call(key, call);
      }

      @Override
      public String toString() {
        return "KeyedRateLimiter[" + engine.name + "].forKey(..)";
      }
    };
  }

  /**
   * Returns how many permits the key could take right now without waiting.
   *
   * @param key the key
   * @return the permits in its bucket (the burst for a key with no bucket)
   * @throws NullPointerException if {@code key} is null
   */
  public int availablePermits(K key) {
    return engine.availablePermits(Checks.notNull(key, "key"));
  }

  /**
   * Returns how many buckets this limiter holds in memory; never more than {@code maxKeys}.
   *
   * @return the number of buckets in memory, zero when a custom {@link RateLimiterStore} holds them
   */
  public int trackedKeys() {
    return memory == null ? 0 : memory.size();
  }

  /**
   * Drops now every bucket that has been idle long enough, instead of waiting for new keys to
   * trigger it. Does nothing with a custom store.
   */
  public void cleanUp() {
    if (memory != null) {
      memory.cleanUp();
    }
  }

  /**
   * Returns the running totals of the requests this limiter granted and refused (one per request,
   * whatever the permits). They count only once {@link CallCounts#start() started} (a metrics
   * binding starts them).
   *
   * @return the counts
   */
  public CallCounts<RateLimitOutcome> callCounts() {
    return engine.counts;
  }

  @Override
  public Subscription subscribe(Consumer<? super RateLimiterEvent> listener) {
    return listeners.subscribe(listener);
  }

  @Override
  public String toString() {
    return "KeyedRateLimiter[" + engine.name + ", " + config + "]";
  }

  /**
   * Builds a {@link KeyedRateLimiter}; {@link #build()} validates every setting.
   *
   * @param <K> the key type, fixed by {@link #store(RateLimiterStore)} or by {@link #build()}
   */
  public static final class Builder<K> {
    private final String name;
    private int permits;
    private Duration period;
    private boolean rateSet;
    private Integer burst;
    private Duration maxWait = Duration.ZERO;
    private int maxKeys = 100_000;
    private Duration expireAfterIdle;
    private boolean expireAfterIdleSet;
    private TimeSource timeSource = TimeSource.system();
    private RateLimiterStore<?> store;
    private boolean storeSet;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets each key's rate: {@code permits} per {@code period}, added evenly. Required.
     *
     * @param permits at least 1
     * @param period positive, at most 365 days
     * @return this builder
     */
    public Builder<K> rate(int permits, Duration period) {
      this.permits = permits;
      this.period = period;
      this.rateSet = true;
      return this;
    }

    /**
     * Sets the most permits each bucket holds (default: the permits of one period).
     *
     * @param capacity at least 1
     * @return this builder
     */
    public Builder<K> burst(int capacity) {
      this.burst = capacity;
      return this;
    }

    /**
     * Sets how long {@link KeyedRateLimiter#call} waits for a permit before it refuses (default
     * zero: refuse at once).
     *
     * @param maxWait zero or more
     * @return this builder
     */
    public Builder<K> maxWait(Duration maxWait) {
      this.maxWait = maxWait;
      return this;
    }

    /**
     * Sets the most buckets held in memory at once (default 100,000). Each costs about 100 bytes
     * besides its key.
     *
     * @param maxKeys at least 1
     * @return this builder
     */
    public Builder<K> maxKeys(int maxKeys) {
      this.maxKeys = maxKeys;
      return this;
    }

    /**
     * Sets the latest a bucket is dropped after its key's last request (default: the refill time,
     * {@code burst × period / permits}, after which an idle bucket is full and so no different from
     * a fresh one).
     *
     * @param expireAfterIdle at least the refill time: dropping a bucket before it is full would
     *     let its key exceed the rate
     * @return this builder
     */
    public Builder<K> expireAfterIdle(Duration expireAfterIdle) {
      this.expireAfterIdle = expireAfterIdle;
      this.expireAfterIdleSet = true;
      return this;
    }

    /**
     * Sets the time source (default {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder<K> timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Keeps the buckets in {@code store} instead of in this limiter's memory: the seam for buckets
     * shared with other limiters or other processes. The store decides on its own clock. Bounding
     * its size and expiring its keys is then the store's business ({@code maxKeys} is not used;
     * expire keys no sooner than {@code config().expireAfterIdle()}).
     *
     * @param store the store
     * @param <K1> the key type
     * @return this builder, typed by the store's keys
     */
    @SuppressWarnings("unchecked")
    public <K1 extends K> Builder<K1> store(RateLimiterStore<K1> store) {
      this.store = store;
      this.storeSet = true;
      return (Builder<K1>) this;
    }

    /**
     * Validates the settings and builds the limiter.
     *
     * @param <K1> the key type
     * @return the limiter
     * @throws IllegalStateException if no rate was set ({@code rate is required: set it with
     *     .rate(int, Duration)})
     * @throws IllegalArgumentException if the name is blank, or a setting is out of range: rate
     *     permits less than 1, a period that is not positive or longer than 365 days, burst less
     *     than 1, a negative max wait, maxKeys less than 1, or an expireAfterIdle shorter than the
     *     refill time
     * @throws NullPointerException if the name, period, max wait, time source, or an
     *     expireAfterIdle or store that was set, is null
     */
    @SuppressWarnings("unchecked")
    public <K1 extends K> KeyedRateLimiter<K1> build() {
      RateLimiter.Config limit =
          RateLimiter.validate(name, rateSet, permits, period, burst, maxWait, timeSource);
      Checks.atLeast(maxKeys, 1, "maxKeys");
      Duration refill = limit.refillTime();
      Duration expiry =
          expireAfterIdleSet ? Checks.notNull(expireAfterIdle, "expireAfterIdle") : refill;
      if (storeSet) {
        Checks.notNull(store, "store");
      }
      Checks.require(
          expiry.compareTo(refill) >= 0,
          "expireAfterIdle must be at least the refill time "
              + Durations.format(refill)
              + " (burst "
              + limit.burst()
              + " at "
              + limit.permits()
              + " per "
              + Durations.format(limit.period())
              + "), was "
              + Durations.format(expiry)
              + "; dropping a bucket before it is full would let its key exceed the rate");
      Config config =
          new Config(
              limit.permits(), limit.period(), limit.burst(), limit.maxWait(), maxKeys, expiry);
      return new KeyedRateLimiter<>(this, config, (RateLimiterStore<K1>) store);
    }
  }
}
