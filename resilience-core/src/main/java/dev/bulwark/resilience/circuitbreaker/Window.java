package dev.bulwark.resilience.circuitbreaker;

/**
 * A sliding window of call outcomes that judges, after each record, whether the breaker's
 * thresholds are exceeded. Implementations are lock-free and allocate nothing per record.
 *
 * <p>An outcome is a small bit set: {@link #FAILED} and {@link #SLOW}; zero is a fast success. A
 * verdict is {@link #BELOW_MINIMUM_CALLS}, {@link #BELOW_THRESHOLDS}, or a bit set of {@link
 * #FAILURE_RATE_EXCEEDED} and {@link #SLOW_CALL_RATE_EXCEEDED}.
 */
interface Window {

  /** Outcome bit: the call failed. */
  int FAILED = 1;

  /** Outcome bit: the call took longer than the slow-call duration. */
  int SLOW = 2;

  /** Verdict: fewer calls than the minimum are recorded; rates are not judged yet. */
  int BELOW_MINIMUM_CALLS = 0;

  /** Verdict: both rates are below their thresholds. */
  int BELOW_THRESHOLDS = 1;

  /** Verdict bit: the failure rate is at or above its threshold. */
  int FAILURE_RATE_EXCEEDED = 2;

  /** Verdict bit: the slow-call rate is at or above its threshold. */
  int SLOW_CALL_RATE_EXCEEDED = 4;

  /**
   * Records one outcome and judges the window as it stands right after it.
   *
   * @param outcome a bit set of {@link #FAILED} and {@link #SLOW}
   * @param nowNanos the time source's reading (used by time windows only)
   * @return the verdict
   */
  int record(int outcome, long nowNanos);

  /**
   * Returns the counts of the window as of {@code nowNanos}.
   *
   * @param nowNanos the time source's reading (used by time windows only)
   * @return calls, failures and slow calls in the window
   */
  Counts counts(long nowNanos);

  /**
   * Returns the thresholds this window judges against.
   *
   * @return the thresholds
   */
  Thresholds thresholds();

  /** The thresholds a window judges against, and the minimum number of calls to judge at all. */
  record Thresholds(float failureRate, float slowCallRate, long minimumCalls) {

    /**
     * Judges counts as resilience4j does: no verdict on an empty window or below the minimum; the
     * rates are computed in {@code float} exactly as resilience4j computes them ({@code n * 100f /
     * calls}) and compared with {@code >=}.
     */
    int judge(long calls, long failures, long slow) {
      if (calls == 0 || calls < minimumCalls) {
        return BELOW_MINIMUM_CALLS;
      }
      if ((failures | slow) == 0) {
        return BELOW_THRESHOLDS; // both rates are 0, below any threshold in (0, 100]
      }
      int verdict = 0;
      if (rate(failures, calls) >= failureRate) {
        verdict |= FAILURE_RATE_EXCEEDED;
      }
      if (rate(slow, calls) >= slowCallRate) {
        verdict |= SLOW_CALL_RATE_EXCEEDED;
      }
      return verdict == 0 ? BELOW_THRESHOLDS : verdict;
    }

    /** The rate in percent, or -1 below the minimum number of calls (as resilience4j reports). */
    float reported(long count, long calls) {
      return calls == 0 || calls < minimumCalls ? -1f : rate(count, calls);
    }

    private static float rate(long count, long calls) {
      return (float) count * 100.0f / (float) calls;
    }
  }

  /**
   * The counts of a window.
   *
   * @param calls the recorded calls
   * @param failures those that failed
   * @param slow those that were slow
   */
  record Counts(long calls, long failures, long slow) {}
}
