package dev.bulwark.resilience.timeout;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;
import java.util.Optional;

/**
 * The point in time by which the current call must finish, visible to the code inside it.
 *
 * <p>A {@link Timeout} sets the deadline of the thread that runs its call; code nested inside reads
 * it with {@link #current()} to bound its own waits (a socket timeout, a queue poll), and a {@code
 * Retry} inside a {@code Timeout} never sleeps past it. Nested timeouts take the earlier deadline.
 *
 * <pre>{@code
 * Duration budget = Deadline.current().map(Deadline::remaining).orElse(Duration.ofSeconds(5));
 * socket.setSoTimeout((int) budget.toMillis());
 * }</pre>
 *
 * <p>A deadline is a thread-local value: work handed to another thread does not see it unless it is
 * carried over with {@link #callAsCurrent(Call)}, as {@code Hedge} and {@code FanOut} do for their
 * attempts. Making a deadline current only makes it visible; enforcing it (interrupting the call
 * once it passes) is the job of a {@link Timeout}.
 */
public sealed class Deadline permits WatchedDeadline {

  private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();

  private final TimeSource time;
  private final long deadlineNanos;

  Deadline(TimeSource time, long deadlineNanos) {
    this.time = time;
    this.deadlineNanos = deadlineNanos;
  }

  /**
   * Returns the deadline of the call that the current thread is running, if any.
   *
   * @return the innermost deadline in force on this thread, or empty outside any timeout
   */
  public static Optional<Deadline> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /** Returns the current deadline or null, without allocating an {@code Optional}. */
  static Deadline currentOrNull() {
    return CURRENT.get();
  }

  /**
   * Returns the earlier of the current deadline and {@code timeout} from now, both read on {@code
   * time}: the deadline that work started now under {@code timeout} must meet. A current deadline
   * measured on another time source is not comparable and is ignored.
   *
   * @param time the time source to measure on
   * @param timeout how long from now, at most
   * @return the earlier deadline; the current one itself if it is earlier
   * @throws NullPointerException if {@code time} or {@code timeout} is null
   */
  public static Deadline within(TimeSource time, Duration timeout) {
    Checks.notNull(time, "time");
    Checks.notNull(timeout, "timeout");
    long candidate = time.nanoTime() + Durations.saturatedNanos(timeout);
    Deadline outer = CURRENT.get();
    if (outer != null && outer.time == time && outer.deadlineNanos - candidate < 0) {
      return outer;
    }
    return new Deadline(time, candidate);
  }

  /**
   * Runs {@code call} on the current thread with this deadline {@linkplain #current() current},
   * then restores the deadline that was current before. This carries a deadline over to another
   * thread; it does not enforce it.
   *
   * <pre>{@code
   * Deadline deadline = Deadline.current().orElseThrow();
   * executor.submit(() -> deadline.callAsCurrent(() -> fetch(symbol)));
   * }</pre>
   *
   * @param call the call to run
   * @param <T> the call's result type
   * @param <X> the call's checked exception type
   * @return the call's result
   * @throws X the call's own failure, unchanged
   * @throws NullPointerException if {@code call} is null
   */
  public <T, X extends Exception> T callAsCurrent(Call<T, X> call) throws X {
    Checks.notNull(call, "call");
    Deadline previous = enter(this);
    try {
      return call.call();
    } finally {
      restore(previous);
    }
  }

  /**
   * Returns the time left until this deadline on its time source; zero or negative once it has
   * passed.
   *
   * @return the time left, negative once past
   */
  public Duration remaining() {
    return Duration.ofNanos(remainingNanos());
  }

  /**
   * Returns the time left until this deadline in nanoseconds; zero or negative once it has passed.
   *
   * @return the nanoseconds left
   */
  public long remainingNanos() {
    return deadlineNanos - time.nanoTime();
  }

  /**
   * Returns true once the deadline has passed.
   *
   * @return whether no time is left
   */
  public boolean isExpired() {
    return remainingNanos() <= 0;
  }

  /**
   * Returns the time source this deadline is measured on.
   *
   * @return the time source
   */
  public TimeSource timeSource() {
    return time;
  }

  /**
   * Returns the deadline as a reading of its {@linkplain #timeSource() time source}.
   *
   * @return the time source's {@code nanoTime()} at which the deadline passes
   */
  public long nanoTime() {
    return deadlineNanos;
  }

  /**
   * Makes {@code deadline} current on this thread and returns the one it replaces, to be restored
   * with {@link #restore(Deadline)} in a {@code finally}.
   */
  static Deadline enter(Deadline deadline) {
    Deadline previous = CURRENT.get();
    CURRENT.set(deadline);
    return previous;
  }

  /** Restores the deadline that {@link #enter(Deadline)} replaced. */
  static void restore(Deadline previous) {
    // set(null) rather than remove(): the entry stays in the thread's map, so the next enter() on
    // this thread does not have to insert it again (this is on every Timeout call's path).
    CURRENT.set(previous);
  }

  @Override
  public String toString() {
    return "Deadline[remaining=" + Durations.formatNanos(remainingNanos()) + "]";
  }
}
