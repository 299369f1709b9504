package dev.bulwark.resilience.bulkhead;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What each thread of a bulkhead's Lincheck check holds, shared by {@link BulkheadLincheckTest} and
 * {@link AdaptiveBulkheadLincheckTest}: the permits it took (in the check) or their stand-ins (in a
 * sequential model). An operation gets its thread's id from Lincheck's {@code ThreadIdGen}, so a
 * thread finishes only permits it holds itself, newest first, and finishing when it holds none is a
 * no-op that answers false.
 *
 * @param <T> a permit, or what a model keeps in its place
 */
final class HeldPermits<T> {

  /** More than any check's threads, set-up and tear-down included. */
  private static final int THREADS = 8;

  private final List<ArrayDeque<T>> held = new ArrayList<>();

  HeldPermits() {
    for (int i = 0; i < THREADS; i++) {
      held.add(new ArrayDeque<>());
    }
  }

  /**
   * Takes a permit for {@code thread} and holds it.
   *
   * @return true if one was taken, false if the bulkhead refused
   */
  boolean acquire(int thread, Supplier<? extends T> acquire) {
    try {
      hold(thread, acquire.get());
      return true;
    } catch (BulkheadFullException e) {
      return false;
    }
  }

  /** Holds {@code permit} for {@code thread}. */
  void hold(int thread, T permit) {
    held.get(thread).push(permit);
  }

  /**
   * Finishes the newest permit {@code thread} holds.
   *
   * @return true if it held one, false if it held none
   */
  boolean finish(int thread, Consumer<? super T> finish) {
    T permit = held.get(thread).poll();
    if (permit == null) {
      return false;
    }
    finish.accept(permit);
    return true;
  }
}
