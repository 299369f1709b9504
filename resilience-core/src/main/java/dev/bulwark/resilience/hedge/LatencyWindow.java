package dev.bulwark.resilience.hedge;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The recent latencies of a {@link Hedge} and the percentile of them that it uses as its delay.
 *
 * <p><b>Design.</b> A ring of the last {@value #SIZE} samples, written with one atomic increment
 * and one release store, so recording costs nothing next to the remote call being measured. The
 * percentile (nearest rank) is recomputed by the thread that records every {@value
 * #RECOMPUTE_EVERY}th sample, by copying and sorting the ring (a few microseconds, amortised to a
 * few hundred nanoseconds per call), and published in a volatile field that {@link #delayNanos()}
 * reads. Until {@value #MIN_SAMPLES} samples exist the fallback delay is used. Samples recorded
 * while the ring is copied may or may not be seen: the percentile is an estimate, and that does not
 * change it materially. As "The Tail at Scale" suggests, hedging at the 95th percentile bounds the
 * extra load to about 5 %.
 */
final class LatencyWindow {

  static final int SIZE = 128;
  static final int MIN_SAMPLES = 20;
  static final int RECOMPUTE_EVERY = 16;

  private final double percentile;
  private final long fallbackNanos;
  private final AtomicLongArray ring = new AtomicLongArray(SIZE);
  private final AtomicLong count = new AtomicLong();
  private volatile long delayNanos = -1;

  LatencyWindow(double percentile, long fallbackNanos) {
    this.percentile = percentile;
    this.fallbackNanos = fallbackNanos;
  }

  void record(long latencyNanos) {
    long n = count.getAndIncrement();
    ring.setRelease((int) (n % SIZE), Math.max(0, latencyNanos));
    long recorded = n + 1;
    if (recorded == MIN_SAMPLES || (recorded > MIN_SAMPLES && recorded % RECOMPUTE_EVERY == 0)) {
      recompute((int) Math.min(recorded, SIZE));
    }
  }

  private void recompute(int samples) {
    long[] sorted = new long[samples];
    for (int i = 0; i < samples; i++) {
      sorted[i] = ring.getAcquire(i);
    }
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(percentile / 100.0 * samples);
    delayNanos = sorted[Math.min(samples, Math.max(1, rank)) - 1];
  }

  /** The current delay: the percentile of the recent latencies, or the fallback until enough. */
  long delayNanos() {
    long d = delayNanos;
    return d >= 0 ? d : fallbackNanos;
  }

  long samples() {
    return Math.min(count.get(), SIZE);
  }
}
