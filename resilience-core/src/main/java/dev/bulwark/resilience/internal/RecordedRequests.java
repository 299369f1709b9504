package dev.bulwark.resilience.internal;

import java.util.Arrays;

/**
 * The retry budgets that have already recorded the request of the logical call the current thread
 * is running. Internal.
 *
 * <p>A {@code Retry} and a {@code Hedge} nested in one another and sharing one budget must record
 * that call's request once, not once per policy and attempt (which would double the budget's
 * requests, and so its retries). The outermost policy of a budget records it and marks the thread
 * with {@link #begin(Object)}; an inner policy on the same budget sees the mark and records
 * nothing. A policy that runs part of the call on other threads (a hedge's attempts) carries the
 * marks over with {@link #carried()} and {@link #adopt(Object[])}.
 *
 * <p>Each thread keeps a small stack of budgets, compared by identity and reused from call to call,
 * so marking allocates nothing in steady state. Marks are strictly nested (begin/end and adopt/drop
 * in try/finally). A thread's first mark allocates its stack (one small array); later calls on that
 * thread allocate nothing.
 */
public final class RecordedRequests {

  private static final Object[] NONE = {};

  private static final class Marks {
    Object[] budgets = new Object[4];
    int size;

    boolean contains(Object budget) {
      for (int i = 0; i < size; i++) {
        if (budgets[i] == budget) {
          return true;
        }
      }
      return false;
    }

    void push(Object budget) {
      if (size == budgets.length) {
        budgets = Arrays.copyOf(budgets, size * 2);
      }
      budgets[size++] = budget;
    }

    void pop(int n) {
      for (int i = 0; i < n && size > 0; i++) {
        budgets[--size] = null;
      }
    }
  }

  // created on a thread's first mark only: a thread that never marks pays nothing
  private static final ThreadLocal<Marks> MARKS = new ThreadLocal<>();

  private static Marks marks() {
    Marks marks = MARKS.get();
    if (marks == null) {
      marks = new Marks();
      MARKS.set(marks);
    }
    return marks;
  }

  private RecordedRequests() {}

  /**
   * Marks the current thread's call as recorded on {@code budget}, unless it already is.
   *
   * @param budget the budget, compared by identity
   * @return true if the caller must record the request and later call {@link #end(Object)}; false
   *     if an enclosing policy on the same budget has recorded it already
   */
  public static boolean begin(Object budget) {
    Marks marks = marks();
    if (marks.contains(budget)) {
      return false;
    }
    marks.push(budget);
    return true;
  }

  /**
   * Removes the mark that {@link #begin(Object)} set (when it returned true).
   *
   * @param budget the budget given to {@code begin}
   */
  public static void end(Object budget) {
    marks().pop(1);
  }

  /**
   * Returns a copy of the current thread's marks, to carry over to a thread that runs part of the
   * same call.
   *
   * @return the budgets marked on this thread, possibly none
   */
  public static Object[] carried() {
    Marks marks = MARKS.get();
    return marks == null || marks.size == 0 ? NONE : Arrays.copyOf(marks.budgets, marks.size);
  }

  /**
   * Marks the current thread with carried marks that it does not hold yet.
   *
   * @param budgets marks from {@link #carried()}
   * @return how many marks were added, to give to {@link #drop(int)}
   */
  public static int adopt(Object[] budgets) {
    if (budgets.length == 0) {
      return 0;
    }
    Marks marks = marks();
    int added = 0;
    for (Object budget : budgets) {
      if (!marks.contains(budget)) {
        marks.push(budget);
        added++;
      }
    }
    return added;
  }

  /**
   * Removes the marks that {@link #adopt(Object[])} added.
   *
   * @param added the count {@code adopt} returned
   */
  public static void drop(int added) {
    if (added > 0) {
      marks().pop(added);
    }
  }
}
