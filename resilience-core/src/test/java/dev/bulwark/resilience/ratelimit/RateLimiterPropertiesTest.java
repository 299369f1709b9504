package dev.bulwark.resilience.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.resilience.ManualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Properties of the token bucket in virtual time, for random rates, bursts, clock origins (wrap
 * included) and arrival patterns. {@code -Dbulwark.stress.scale=N} makes the arrival sequences N
 * times longer.
 */
class RateLimiterPropertiesTest {

  private static final int SCALE = Integer.getInteger("bulwark.stress.scale", 1);

  /** A bucket: {@code permits} per {@code periodNanos}, holding {@code burst}. */
  record Shape(int permits, long periodNanos, int burst) {
    /** Nanoseconds per permit, rounded up. */
    long interval(int n) {
      return Math.ceilDiv(n * periodNanos, permits);
    }

    RateLimiter limiter(ManualTimeSource time) {
      return RateLimiter.builder("p")
          .rate(permits, Duration.ofNanos(periodNanos))
          .burst(burst)
          .timeSource(time)
          .build();
    }
  }

  /**
   * One caller: arrives {@code gapPermille}/1000 of its permits' interval after the previous one,
   * asks for {@code permits} (capped at the burst), and is willing to wait {@code
   * waitPermille}/1000 of an interval (zero: tryAcquire).
   */
  record Arrival(int gapPermille, int permits, int waitPermille) {}

  @Provide
  Arbitrary<Shape> shapes() {
    return Combinators.combine(
            Arbitraries.oneOf(
                Arbitraries.of(1, 3, 7, 100, 999), Arbitraries.integers().between(1, 1_000)),
            Arbitraries.oneOf(
                Arbitraries.just(1_000_000_000L),
                Arbitraries.longs().between(1_000, 10_000_000_000L)),
            Arbitraries.integers().between(1, 40))
        .as(Shape::new);
  }

  @Provide
  Arbitrary<Long> starts() {
    return Arbitraries.oneOf(
        Arbitraries.just(0L),
        Arbitraries.longs(),
        Arbitraries.longs().between(0, 1_000_000_000_000L).map(d -> Long.MAX_VALUE - d));
  }

  @Provide
  Arbitrary<List<Arrival>> arrivals() {
    Arbitrary<Integer> gaps =
        Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.integers().between(0, 1_500)),
            Tuple.of(1, Arbitraries.integers().between(0, 50_000)));
    Arbitrary<Integer> waits =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.just(0)),
            Tuple.of(1, Arbitraries.integers().between(0, 5_000)));
    return Combinators.combine(gaps, Arbitraries.integers().between(1, 40), waits)
        .as(Arrival::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(150 * SCALE);
  }

  @Property
  void permitsGrantedInAnyWindowNeverExceedBurstPlusRateTimesLength(
      @ForAll("shapes") Shape shape,
      @ForAll("starts") long start,
      @ForAll("arrivals") List<Arrival> arrivals)
      throws InterruptedException {
    ManualTimeSource time = new ManualTimeSource(start);
    RateLimiter limiter = shape.limiter(time);
    List<long[]> grants = new ArrayList<>(); // {elapsed nanos, permits}
    for (Arrival arrival : arrivals) {
      int n = Math.min(arrival.permits(), shape.burst());
      long interval = shape.interval(n);
      time.advance(Duration.ofNanos(interval * arrival.gapPermille() / 1_000));
      boolean granted;
      if (arrival.waitPermille() == 0) {
        granted = limiter.tryAcquire(n);
      } else {
        Duration maxWait = Duration.ofNanos(interval * arrival.waitPermille() / 1_000);
        int sleepsBefore = time.sleeps().size();
        try {
          limiter.acquire(n, maxWait);
          granted = true;
          List<Duration> sleeps = time.sleeps();
          if (sleeps.size() > sleepsBefore) {
            assertThat(sleeps.get(sleeps.size() - 1)).isLessThanOrEqualTo(maxWait);
          }
        } catch (RateLimitedException e) {
          granted = false;
          assertThat(time.sleeps()).hasSize(sleepsBefore); // refused at once, no sleeping
          assertThat(e.retryAfter().orElseThrow()).isGreaterThan(maxWait);
        }
      }
      if (granted) {
        grants.add(new long[] {time.nanoTime() - start, n});
      }
    }
    assertWithinRate(shape, grants);
  }

  /**
   * A store whose next compare-and-set first lets another caller in, later on the clock: the caller
   * whose update was computed then loses the race and retries.
   */
  static final class RacingStore implements RateLimiterStore<String>, Gcra.Cells<String> {
    private final AtomicLong value = new AtomicLong(Gcra.ABSENT);
    private final ManualTimeSource time;
    private final long origin;
    Runnable beforeNextCompareAndSet;

    RacingStore(ManualTimeSource time) {
      this.time = time;
      this.origin = time.nanoTime();
    }

    @Override
    public long acquire(String key, Limit limit, int permits, long maxWaitNanos) {
      return limit.gcra.acquire(this, key, permits, maxWaitNanos);
    }

    @Override
    public void refund(String key, Limit limit, int permits) {
      limit.gcra.refund(this, key, permits);
    }

    @Override
    public int availablePermits(String key, Limit limit) {
      return limit.gcra.available(this, key);
    }

    @Override
    public long nowUnits(Gcra gcra) {
      return gcra.units(time.nanoTime() - origin);
    }

    @Override
    public long get(String key) {
      return value.get();
    }

    @Override
    public boolean compareAndSet(String key, long expected, long update, Gcra gcra) {
      Runnable racer = beforeNextCompareAndSet;
      beforeNextCompareAndSet = null;
      if (racer != null) {
        racer.run();
      }
      return value.compareAndSet(expected, update);
    }
  }

  /**
   * A caller that loses its compare-and-set to a later caller retries, reading the bucket and then
   * the clock again: every grant, the racer's and the retried one's, is placed at the clock reading
   * it was decided at, and the grants must still fit the rate in every window.
   */
  @Property
  void aCallerThatLosesARaceToALaterCallerRetriesWithinTheRate(
      @ForAll("shapes") Shape shape,
      @ForAll("starts") long start,
      @ForAll("arrivals") List<Arrival> arrivals) {
    ManualTimeSource time = new ManualTimeSource(start);
    RacingStore store = new RacingStore(time);
    RateLimiter limiter =
        RateLimiter.builder("p")
            .rate(shape.permits(), Duration.ofNanos(shape.periodNanos()))
            .burst(shape.burst())
            .timeSource(time)
            .store(store)
            .build();
    List<long[]> grants = new ArrayList<>(); // {elapsed nanos at the caller's reading, permits}
    for (Arrival arrival : arrivals) {
      int n = Math.min(arrival.permits(), shape.burst());
      long interval = shape.interval(n);
      time.advance(Duration.ofNanos(interval * arrival.gapPermille() / 1_000));
      if (arrival.waitPermille() != 0 || arrival.gapPermille() % 2 == 0) {
        int racerPermits = 1 + arrival.gapPermille() % shape.burst();
        long racerDelay = interval * (arrival.waitPermille() % 1_000) / 1_000;
        store.beforeNextCompareAndSet =
            () -> {
              time.advance(Duration.ofNanos(racerDelay));
              if (limiter.tryAcquire(racerPermits)) {
                grants.add(new long[] {time.nanoTime() - start, racerPermits});
              }
            };
      }
      if (limiter.tryAcquire(n)) {
        // granted at the reading of its last attempt: the racer's time if it raced, else its own
        grants.add(new long[] {time.nanoTime() - start, n});
      }
      store.beforeNextCompareAndSet = null; // a refusal makes no compare-and-set
    }
    grants.sort(Comparator.comparingLong(g -> g[0]));
    assertWithinRate(shape, grants);
  }

  /** Checks that in every window between two grants, at most burst + rate · length were granted. */
  private static void assertWithinRate(Shape shape, List<long[]> grants) {
    for (int i = 0; i < grants.size(); i++) {
      long sum = 0;
      for (int j = i; j < grants.size(); j++) {
        sum += grants.get(j)[1];
        long length = grants.get(j)[0] - grants.get(i)[0];
        // sum ≤ burst + length · permits / period, in integers
        long lhs = Math.multiplyExact(sum, shape.periodNanos());
        long rhs =
            Math.addExact(
                Math.multiplyExact((long) shape.burst(), shape.periodNanos()),
                Math.multiplyExact(length, (long) shape.permits()));
        assertThat(lhs)
            .as("%d permits granted in a window of %dns", sum, length)
            .isLessThanOrEqualTo(rhs);
      }
    }
  }

  @Property
  void droppingIdleBucketsNeverLetsAKeyExceedItsRate(
      @ForAll("shapes") Shape shape,
      @ForAll("starts") long start,
      @ForAll("arrivals") List<Arrival> arrivals) {
    ManualTimeSource time = new ManualTimeSource(start);
    int keys = 4;
    KeyedRateLimiter<Integer> limiter =
        KeyedRateLimiter.builder("p")
            .rate(shape.permits(), Duration.ofNanos(shape.periodNanos()))
            .burst(shape.burst())
            .maxKeys(keys) // never forced: only idle (full) buckets are dropped
            .timeSource(time)
            .build();
    List<List<long[]>> grants = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      grants.add(new ArrayList<>());
    }
    for (Arrival arrival : arrivals) {
      int key = arrival.waitPermille() % keys;
      int n = Math.min(arrival.permits(), shape.burst());
      time.advance(Duration.ofNanos(shape.interval(n) * arrival.gapPermille() / 1_000));
      if (arrival.gapPermille() % 3 == 0) {
        limiter.cleanUp();
      }
      if (limiter.tryAcquire(key, n)) {
        grants.get(key).add(new long[] {time.nanoTime() - start, n});
      }
      assertThat(limiter.trackedKeys()).isLessThanOrEqualTo(keys);
    }
    for (List<long[]> perKey : grants) {
      assertWithinRate(shape, perKey);
    }
  }

  @Property
  void aSteadyArrivalAtOrBelowTheRateIsNeverRefused(
      @ForAll("shapes") Shape shape,
      @ForAll("starts") long start,
      @ForAll("arrivals") List<Arrival> arrivals) {
    ManualTimeSource time = new ManualTimeSource(start);
    RateLimiter limiter = shape.limiter(time);
    int previous = 0;
    for (Arrival arrival : arrivals) {
      int n = Math.min(arrival.permits(), shape.burst());
      // at least the previous caller's permits' worth of time since it arrived
      long gap = previous == 0 ? 0 : shape.interval(previous);
      gap += shape.interval(1) * (arrival.gapPermille() % 1_000) / 1_000;
      time.advance(Duration.ofNanos(gap));
      assertThat(limiter.tryAcquire(n)).as("%d permits after %dns", n, gap).isTrue();
      previous = n;
    }
  }

  @Property
  void retryAfterIsExactToTheNanosecond(
      @ForAll("shapes") Shape shape,
      @ForAll("starts") long start,
      @ForAll("arrivals") List<Arrival> history,
      @ForAll int seed)
      throws InterruptedException {
    ManualTimeSource time = new ManualTimeSource(start);
    RateLimiter limiter = shape.limiter(time);
    for (Arrival arrival : history) { // any past, reservations included
      int n = Math.min(arrival.permits(), shape.burst());
      long interval = shape.interval(n);
      time.advance(Duration.ofNanos(interval * arrival.gapPermille() / 1_000));
      try {
        limiter.acquire(n, Duration.ofNanos(interval * arrival.waitPermille() / 1_000));
      } catch (RateLimitedException ignored) {
        // refusals are part of the history
      }
    }
    int n = 1 + Math.floorMod(seed, shape.burst());
    Duration retryAfter = null;
    for (int i = 0; i <= shape.burst() && retryAfter == null; i++) {
      try {
        limiter.acquire(n, Duration.ZERO);
      } catch (RateLimitedException e) {
        retryAfter = e.retryAfter().orElseThrow();
      }
    }
    assertThat(retryAfter).isNotNull().isPositive();
    time.advance(retryAfter.minusNanos(1));
    assertThat(limiter.tryAcquire(n)).as("1ns before retryAfter").isFalse();
    time.advance(Duration.ofNanos(1));
    assertThat(limiter.tryAcquire(n)).as("exactly at retryAfter").isTrue();
  }
}
