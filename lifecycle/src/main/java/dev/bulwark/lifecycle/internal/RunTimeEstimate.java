package dev.bulwark.lifecycle.internal;

import java.time.Duration;

/*
 * The retry-after of a full job queue's refusal: a place in the queue frees up when a runner takes
 * the next job, which on average happens every (average run time / runners). The average is an
 * exponentially weighted moving average (weight 0.2) of the run times of finished jobs, kept in
 * integer nanoseconds. A pure function of the run times it is given, so it is tested without a
 * clock; not thread-safe: the queue's runners guard it with their lock.
 */
final class RunTimeEstimate {

  private long averageNanos = -1; // no job has finished yet

  /** Adds the run time of a finished job. */
  void add(long tookNanos) {
    averageNanos = averageNanos < 0 ? tookNanos : (averageNanos * 4 + tookNanos) / 5;
  }

  /**
   * Returns when a place is expected to free up with {@code runners} runners, at least 1ns, or null
   * while no job has finished or the runners have not started.
   */
  Duration retryAfter(int runners, boolean started) {
    if (averageNanos < 0 || !started) {
      return null;
    }
    return Duration.ofNanos(Math.max(1, averageNanos / runners));
  }
}
