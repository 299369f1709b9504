package dev.bulwark.resilience.ratelimit;

/**
 * A plain sequential token bucket, written for the linearizability checks independently of {@link
 * Gcra}: a token count and a clock. It refills one permit per {@code nanosPerPermit} nanoseconds up
 * to {@code burst}, and counts tokens in nanoseconds of refill so that no rounding happens.
 */
final class TokenBucketModel {

  private final long nanosPerPermit;
  private final long capacity;

  /** Tokens held, in nanoseconds of refill (one permit = {@code nanosPerPermit}). */
  private long tokens;

  TokenBucketModel(long nanosPerPermit, int burst) {
    this.nanosPerPermit = nanosPerPermit;
    this.capacity = nanosPerPermit * burst;
    this.tokens = capacity;
  }

  /** Lets {@code nanos} pass: the bucket refills, up to its capacity. */
  void advance(long nanos) {
    tokens = Math.min(capacity, tokens + nanos);
  }

  /** Takes the permits if all are there; else says in how many nanoseconds they would be. */
  String decide(int permits) {
    long cost = permits * nanosPerPermit;
    if (tokens >= cost) {
      tokens -= cost;
      return "granted";
    }
    return "refused, retry after " + (cost - tokens) + "ns";
  }

  int available() {
    return (int) (tokens / nanosPerPermit);
  }

  /** The form both the limiter's answer and the model's take in a Lincheck result. */
  static String describe(Decision decision) {
    return decision.granted()
        ? "granted"
        : "refused, retry after " + decision.retryAfter().toNanos() + "ns";
  }
}
