package dev.bulwark.resilience.ratelimit;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.Pipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KeyedRateLimiterTest {

  private static final int SCALE = Integer.getInteger("bulwark.stress.scale", 1);

  private final ManualTimeSource time = new ManualTimeSource();

  @Test
  void eachKeyHasItsOwnBucket() {
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("api").rate(10, ofSeconds(1)).burst(2).timeSource(time).build();
    assertThat(limiter.tryAcquire("alice")).isTrue();
    assertThat(limiter.tryAcquire("alice")).isTrue();
    assertThat(limiter.tryAcquire("alice")).isFalse();
    assertThat(limiter.tryAcquire("bob", 2)).isTrue();
    assertThat(limiter.availablePermits("alice")).isZero();
    assertThat(limiter.availablePermits("carol")).isEqualTo(2);
    assertThat(limiter.trackedKeys()).isEqualTo(2);
    time.advance(ofMillis(100));
    assertThat(limiter.tryAcquire("alice")).isTrue();
  }

  @Test
  void refusalNamesTheLimiterButNeverTheKey() {
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("api").rate(80, ofSeconds(1)).burst(1).timeSource(time).build();
    String secret = "sk_live_do_not_log";
    assertThat(limiter.call(secret, () -> "ok")).isEqualTo("ok");
    assertThatThrownBy(() -> limiter.call(secret, () -> "again"))
        .isInstanceOfSatisfying(
            RateLimitedException.class,
            e -> {
              assertThat(e)
                  .hasMessage(
                      "rate limiter 'api' refused 1 permit for this key; next permit in 12.5ms");
              assertThat(e.getMessage()).doesNotContain(secret);
              assertThat(e.retryAfter()).contains(ofMillis(12).plusNanos(500_000));
            });
    assertThat(time.sleeps()).isEmpty();
  }

  @Test
  void acquireWaitsOnlyWhenThePermitComesInTimeAndForKeyWorksInAPipeline()
      throws InterruptedException {
    KeyedRateLimiter<Integer> limiter =
        KeyedRateLimiter.builder("api").rate(10, ofSeconds(1)).burst(1).timeSource(time).build();
    assertThat(Pipeline.of(limiter.forKey(7)).call(() -> "first")).isEqualTo("first");
    assertThatThrownBy(() -> limiter.acquire(7, 1, ofMillis(99)))
        .isInstanceOf(RateLimitedException.class);
    assertThat(time.sleeps()).isEmpty();
    limiter.acquire(7, 1, ofMillis(100));
    assertThat(time.sleeps()).containsExactly(ofMillis(100));
    assertThat(limiter.forKey(7).name()).isEqualTo("api");
  }

  @Test
  void expiryDefaultsToTheRefillTime() {
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("api").rate(10, ofSeconds(1)).burst(5).build();
    assertThat(limiter.config())
        .isEqualTo(
            new KeyedRateLimiter.Config(
                10, ofSeconds(1), 5, Duration.ZERO, 100_000, ofMillis(500)));
    assertThat(limiter.config().refillTime()).isEqualTo(ofMillis(500));
  }

  @Test
  void dropsAnIdleBucketOnlyOnceItIsFullSoNothingIsLost() {
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("api").rate(10, ofSeconds(1)).burst(5).timeSource(time).build();
    assertThat(limiter.tryAcquire("alice", 5)).isTrue();
    time.advance(ofMillis(499));
    limiter.cleanUp();
    assertThat(limiter.trackedKeys()).isEqualTo(1); // 4.99 permits back: not full yet
    assertThat(limiter.availablePermits("alice")).isEqualTo(4);
    time.advance(ofMillis(1));
    limiter.cleanUp();
    assertThat(limiter.trackedKeys()).isZero();
    assertThat(limiter.availablePermits("alice")).isEqualTo(5);
  }

  @Test
  void aLongerExpiryKeepsFullBucketsForTheRest() {
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("api")
            .rate(10, ofSeconds(1))
            .burst(5)
            .expireAfterIdle(ofSeconds(2))
            .timeSource(time)
            .build();
    assertThat(limiter.tryAcquire("alice")).isTrue(); // full again 100ms later
    time.advance(ofMillis(100 + 1_499));
    limiter.cleanUp();
    assertThat(limiter.trackedKeys()).isEqualTo(1);
    time.advance(ofMillis(1));
    limiter.cleanUp();
    assertThat(limiter.trackedKeys()).isZero();
  }

  @Test
  void newKeysSweepIdleBucketsAsTheyArrive() {
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("api").rate(10, ofSeconds(1)).burst(5).timeSource(time).build();
    for (int i = 0; i < 100; i++) {
      assertThat(limiter.tryAcquire("k" + i)).isTrue();
    }
    assertThat(limiter.trackedKeys()).isEqualTo(100);
    time.advance(ofSeconds(1)); // the sweep interval: at least 1s, and every bucket is full
    assertThat(limiter.tryAcquire("new")).isTrue();
    assertThat(limiter.trackedKeys()).isEqualTo(1);
  }

  @Test
  void atTheBoundFullBucketsGoFirstAndActiveOnesKeepTheirState() {
    List<RateLimiterEvent> events = new ArrayList<>();
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("api")
            .rate(1, ofSeconds(1))
            .burst(10)
            .maxKeys(10)
            .expireAfterIdle(ofSeconds(1000)) // not idle-expired: only the bound drops buckets
            .timeSource(time)
            .build();
    limiter.subscribe(events::add);
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.tryAcquire("busy" + i, 10)).isTrue(); // emptied
    }
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.tryAcquire("light" + i)).isTrue(); // nearly full
    }
    time.advance(ofSeconds(1)); // the light ones are full again; the busy ones owe 9 permits
    assertThat(limiter.tryAcquire("newcomer")).isTrue();

    assertThat(limiter.trackedKeys()).isLessThanOrEqualTo(10);
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.availablePermits("busy" + i)).as("busy%d", i).isEqualTo(1);
    }
    assertThat(events)
        .filteredOn(RateLimiterEvent.KeysEvicted.class::isInstance)
        .containsExactly(new RateLimiterEvent.KeysEvicted("api", 0, 1, 0));
  }

  @Test
  void whenEveryBucketIsInUseTheFullestAreForcedOutAndCounted() {
    List<RateLimiterEvent> events = new ArrayList<>();
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("api")
            .rate(1, ofSeconds(1))
            .burst(10)
            .maxKeys(10)
            .timeSource(time)
            .build();
    limiter.subscribe(events::add);
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryAcquire("k" + i, 1 + i / 5)).isTrue(); // k0-4 owe 1, k5-9 owe 2
    }
    assertThat(limiter.tryAcquire("newcomer")).isTrue();
    assertThat(limiter.trackedKeys()).isLessThanOrEqualTo(10);
    assertThat(events)
        .filteredOn(RateLimiterEvent.KeysEvicted.class::isInstance)
        .containsExactly(new RateLimiterEvent.KeysEvicted("api", 0, 1, 1));
    // the dropped one was among the fullest (owing 1); the ones owing 2 kept their state
    for (int i = 5; i < 10; i++) {
      assertThat(limiter.availablePermits("k" + i)).isEqualTo(8);
    }
  }

  /**
   * Regression, found by Lincheck model checking (KeyedRateLimiterLincheckTest): with the store at
   * maxKeys, two first decisions for one key both found it absent; the first made room, evicting
   * the other key, and inserted the key's bucket, and the second's room-making sweep then evicted
   * that fresh bucket and started another, so the key got two bursts with one key active. Here the
   * first decision runs whole inside the clock reading of the second's sweep (its second reading:
   * the first is the decision's own), after the second has found the key absent.
   */
  @Test
  void twoFirstDecisionsForOneKeyInAFullStoreDoNotGrantItTwoBursts() {
    ManualTimeSource manual = new ManualTimeSource();
    InterleavingClock clock = new InterleavingClock(manual);
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("api")
            .rate(1, ofSeconds(1))
            .burst(2)
            .maxKeys(1)
            .timeSource(clock)
            .build();
    assertThat(limiter.tryAcquire("other")).isTrue(); // the store is full
    List<Decision> first = new ArrayList<>();
    clock.duringReading(2, () -> first.add(limiter.decide("key", 2)));
    Decision second = limiter.decide("key", 2);
    assertThat(clock.ran()).as("the first decision ran inside the second's sweep").isTrue();
    assertThat(first).containsExactly(Decision.GRANTED);
    assertThat(second.granted()).as("a second burst for the same key").isFalse();
    assertThat(second.retryAfter()).isEqualTo(ofSeconds(2));
    assertThat(limiter.availablePermits("key")).isZero();
    assertThat(limiter.trackedKeys()).isEqualTo(1);
  }

  @Test
  void aMillionNewKeysNeverHoldMoreThanTheBound() {
    int bound = 10_000;
    int keys = 1_000_000 * SCALE;
    KeyedRateLimiter<Integer> limiter =
        KeyedRateLimiter.builder("flood")
            .rate(10, ofSeconds(1))
            .burst(10)
            .maxKeys(bound)
            .timeSource(time)
            .build();
    AtomicInteger evictions = new AtomicInteger();
    limiter.subscribe(
        e -> {
          if (e instanceof RateLimiterEvent.KeysEvicted k) {
            evictions.addAndGet(k.expired() + k.forced());
          }
        });
    int maxSeen = 0;
    for (int i = 0; i < keys; i++) {
      assertThat(limiter.tryAcquire(i)).isTrue(); // every new key gets its burst
      if ((i & 127) == 0) {
        maxSeen = Math.max(maxSeen, limiter.trackedKeys());
        time.advance(Duration.ofMillis(1)); // some buckets refill and become idle meanwhile
      }
    }
    assertThat(maxSeen).isLessThanOrEqualTo(bound).isGreaterThan(bound / 2);
    assertThat(limiter.trackedKeys()).isLessThanOrEqualTo(bound);
    assertThat(evictions.get()).isEqualTo(keys - limiter.trackedKeys());
  }

  @Test
  void concurrentFloodOfNewKeysStaysWithinTheBoundWhileHotKeysKeepTheirRate() {
    int bound = 1_000;
    int threads = 4;
    int perThread = 50_000 * SCALE;
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("flood")
            .rate(100, ofSeconds(1))
            .burst(100)
            .maxKeys(bound)
            .expireAfterIdle(ofSeconds(3600))
            .timeSource(time)
            .build();
    AtomicInteger hotGranted = new AtomicInteger();
    AtomicLong maxSeen = new AtomicLong();
    ConcurrentHashMap<Thread, Boolean> started = new ConcurrentHashMap<>();
    assertTimeoutPreemptively(
        ofSeconds(30),
        () -> {
          CountDownLatch go = new CountDownLatch(1);
          List<Thread> all = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            int id = t;
            Thread thread =
                Thread.ofPlatform()
                    .start(
                        () -> {
                          try {
                            go.await();
                          } catch (InterruptedException e) {
                            return;
                          }
                          for (int i = 0; i < perThread; i++) {
                            limiter.tryAcquire("t" + id + "-" + i);
                            if (limiter.tryAcquire("hot")) {
                              hotGranted.incrementAndGet();
                            }
                            if ((i & 63) == 0) {
                              maxSeen.accumulateAndGet(limiter.trackedKeys(), Math::max);
                            }
                          }
                        });
            all.add(thread);
            started.put(thread, true);
          }
          go.countDown();
          for (Thread t : all) {
            t.join();
          }
        });
    assertThat(maxSeen.get()).isLessThanOrEqualTo(bound);
    assertThat(limiter.trackedKeys()).isLessThanOrEqualTo(bound);
    assertThat(started.keySet()).noneMatch(Thread::isAlive);
    // time stands still: "hot" may get its burst again only if it was forced out while in use,
    // and it is the emptiest bucket, so it never is while fuller ones exist
    assertThat(hotGranted.get()).isEqualTo(100);
  }

  @Test
  void customStoreHoldsTheBucketsAndNothingIsKeptInMemory() {
    AtomicReference<RateLimiterStore<String>> held =
        new AtomicReference<>(RateLimiterStore.inMemory(time));
    List<String> keys = new ArrayList<>();
    RateLimiterStore<String> store =
        new RateLimiterStore<>() {
          @Override
          public long acquire(String key, Limit limit, int permits, long maxWaitNanos) {
            keys.add(key);
            return held.get().acquire(key, limit, permits, maxWaitNanos);
          }

          @Override
          public void refund(String key, Limit limit, int permits) {
            held.get().refund(key, limit, permits);
          }

          @Override
          public int availablePermits(String key, Limit limit) {
            return held.get().availablePermits(key, limit);
          }
        };
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("api")
            .rate(10, ofSeconds(1))
            .burst(2)
            .store(store)
            .timeSource(time)
            .build();
    assertThat(limiter.tryAcquire("a", 2)).isTrue();
    assertThat(limiter.tryAcquire("a")).isFalse();
    assertThat(keys).containsOnly("a");
    assertThat(limiter.trackedKeys()).isZero();
    limiter.cleanUp(); // nothing to do
    held.set(RateLimiterStore.inMemory(time)); // the store forgot the key: a full bucket again
    assertThat(limiter.tryAcquire("a", 2)).isTrue();
  }

  @Test
  void decideCarriesTheExactWaitPerKey() {
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("api").rate(10, ofSeconds(1)).burst(1).timeSource(time).build();
    assertThat(limiter.decide("a", 1)).isSameAs(Decision.GRANTED);
    Decision refused = limiter.decide("a", 1);
    assertThat(refused.granted()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(ofMillis(100));
    assertThat(limiter.decide("b", 1).granted()).isTrue(); // another key, another bucket
    time.advance(ofMillis(100));
    assertThat(limiter.decide("a", 1)).isSameAs(Decision.GRANTED);
  }

  @Test
  void nullKeysAreRefused() {
    KeyedRateLimiter<String> limiter =
        KeyedRateLimiter.builder("api").rate(10, ofSeconds(1)).timeSource(time).build();
    assertThatThrownBy(() -> limiter.tryAcquire(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> limiter.call(null, () -> 1)).hasMessage("key");
    assertThatThrownBy(() -> limiter.call("a", null)).hasMessage("call");
    assertThatThrownBy(() -> limiter.forKey(null)).hasMessage("key");
  }

  @Test
  void theKeyTypeIsInferredWithoutAWitness() {
    // Issue 11 item 10: these lines did not compile while builder(name) returned Builder<Object>.
    KeyedRateLimiter.Builder<String> typed = KeyedRateLimiter.builder("api");
    KeyedRateLimiter<String> fromTyped = typed.rate(1, ofSeconds(1)).build();
    var fromClass = KeyedRateLimiter.builder("api", String.class).rate(1, ofSeconds(1)).build();
    KeyedRateLimiter<String> sameType = fromClass;

    assertThat(fromTyped.tryAcquire("a")).isTrue();
    assertThat(sameType.tryAcquire("a")).isTrue();
    assertThat(sameType.tryAcquire("a")).isFalse();
    assertThatThrownBy(() -> KeyedRateLimiter.builder("api", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keyType");
  }
}
