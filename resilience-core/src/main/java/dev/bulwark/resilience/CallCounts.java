package dev.bulwark.resilience;

import java.util.List;

/**
 * Running totals of a policy's calls by outcome, for metrics. A policy counts only once someone
 * asked it to ({@link #start()}, which a metrics binding calls): until then each call pays one read
 * of a field and nothing else, so a policy nobody measures costs what it always did. Once started,
 * each outcome is one striped, lock-free increment ({@link java.util.concurrent.atomic.LongAdder});
 * counting never stops again, so the totals only grow.
 *
 * @param <E> the policy's outcomes, an enum
 */
public interface CallCounts<E extends Enum<E>> {

  /** Starts counting, if not started yet. Calls that finished before are not counted. */
  void start();

  /**
   * Returns whether counting has started.
   *
   * @return true once {@link #start()} was called
   */
  boolean started();

  /**
   * Returns how many calls ended with {@code outcome} since counting started.
   *
   * @param outcome the outcome
   * @return the total, 0 before counting started
   * @throws NullPointerException if {@code outcome} is null
   */
  long count(E outcome);

  /**
   * Returns every outcome this policy counts, in declaration order.
   *
   * @return the outcomes
   */
  List<E> outcomes();
}
