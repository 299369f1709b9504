package dev.bulwark.resilience.timeout;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;
import java.util.Objects;
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
 */
public final class Deadline {

  private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();

  private final TimeSource time;
  private final long deadlineNanos;

  private Deadline(TimeSource time, long deadlineNanos) {
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
   * Returns the earlier of the current deadline and one {@code timeout} from now: what a timeout
   * entered now must enforce.
   */
  static Deadline within(TimeSource time, Duration timeout) {
    Objects.requireNonNull(time, "time");
    long now = time.nanoTime();
    long candidate = now + saturatedNanos(timeout);
    Deadline outer = CURRENT.get();
    if (outer != null && outer.time == time && outer.deadlineNanos - candidate < 0) {
      return outer;
    }
    return new Deadline(time, candidate);
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
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE / 2;
    }
  }

  @Override
  public String toString() {
    return "Deadline[remaining=" + Durations.formatNanos(remainingNanos()) + "]";
  }
}
