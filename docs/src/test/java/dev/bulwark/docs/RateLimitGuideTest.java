package dev.bulwark.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimitedException;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rate limiting guide. */
class RateLimitGuideTest {
  final ManualTimeSource time = new ManualTimeSource();

  record Response(int status, String retryAfter) {}

  @Test
  void aTokenBucketAllowsTheBurstThenRefusesWithTheExactWait() {
    // tag::limiter[]
    RateLimiter search =
        RateLimiter.builder("search")
            .rate(10, Duration.ofSeconds(1)) // 10 permits per second on average ...
            .burst(20) // ... and up to 20 at once after a quiet spell
            .maxWait(Duration.ofMillis(50)) // wait this long at most, else refuse at once
            .timeSource(time)
            .build();
    // end::limiter[]
    int allowed = 0;
    while (search.tryAcquire()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(20);
    time.advance(Duration.ofMillis(100));
    assertThat(search.tryAcquire()).isTrue();
  }

  @Test
  void aKeyedLimiterGivesEachClientItsOwnBucketAndARetryAfter() {
    // tag::keyed[]
    KeyedRateLimiter<String> perClient =
        KeyedRateLimiter.builder("api")
            .rate(5, Duration.ofSeconds(1))
            .maxKeys(100_000) // memory stays bounded ...
            .expireAfterIdle(Duration.ofMinutes(5)) // ... and idle clients are forgotten
            .timeSource(time)
            .<String>build();
    // end::keyed[]
    List<Response> responses = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      responses.add(handle(perClient, "client-a"));
    }
    assertThat(responses.subList(0, 5)).allMatch(r -> r.status() == 200);
    assertThat(responses.get(5)).isEqualTo(new Response(429, "1"));
    assertThat(handle(perClient, "client-b").status()).isEqualTo(200);
  }

  // tag::retry-after[]
  static Response handle(KeyedRateLimiter<String> limiter, String clientId) {
    try {
      return limiter.call(clientId, () -> new Response(200, null));
    } catch (RateLimitedException refused) {
      long seconds = refused.retryAfter().map(d -> (d.toMillis() + 999) / 1000).orElse(1L);
      return new Response(429, Long.toString(seconds)); // Retry-After: seconds, rounded up
    }
  }
  // end::retry-after[]
}
