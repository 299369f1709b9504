package dev.bulwark.resilience;

import dev.bulwark.resilience.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link TimeSource} that stands still until it is told to move: for tests, Bulwark's own and its
 * users'.
 *
 * <p>Time advances only through {@link #advance(Duration)} or {@link #sleep(Duration)}. A sleep
 * returns at once, advances the source by the slept duration and records it, so a test reads as a
 * timeline:
 *
 * <pre>{@code
 * var time = new ManualTimeSource();
 * Retry retry = Retry.builder("quotes").backoff(...).timeSource(time).build();
 * retry.call(flakyCall);
 * assertThat(time.sleeps()).containsExactly(ofMillis(100), ofMillis(200), ofMillis(400));
 * }</pre>
 *
 * <p>A timed wait through {@link #awaitNanos(Lock, Condition, long)} really blocks the waiting
 * thread until it is signalled or until the source is advanced past its deadline. {@link
 * #awaitWaiters(int)} lets a test wait until a thread has reached such a wait before it advances
 * the time, so that virtual-time tests of queues and stop signals are deterministic. A thread stops
 * counting as a waiter the moment an advance wakes it, before it has even re-taken its lock, so
 * {@code awaitWaiters(n)} right after an {@code advance} waits for threads that are waiting
 * <em>again</em>, never for one that is merely on its way out of the last wait.
 *
 * <p><b>Testing a {@code Timeout} in virtual time.</b> A timeout's watchdog waits on this source
 * for the deadline; the call under test runs on a thread of its own and blocks on something that
 * honours interrupts:
 *
 * <pre>{@code
 * var time = new ManualTimeSource();
 * Timeout timeout = Timeout.builder("quotes").timeout(ofSeconds(1)).timeSource(time).build();
 * var never = new CountDownLatch(1);
 * var failure = new AtomicReference<Throwable>();
 * Thread caller = Thread.ofVirtual().start(() -> {
 *   try { timeout.call(() -> { never.await(); return "late"; }); }
 *   catch (Throwable t) { failure.set(t); }
 * });
 * time.awaitWaiters(1);          // the watchdog is waiting for the deadline
 * time.advance(ofSeconds(1));    // the deadline passes: the watchdog interrupts the caller
 * caller.join();                 // bound the test with assertTimeoutPreemptively
 * assertThat(failure.get()).isInstanceOf(TimeoutExceededException.class);
 * }</pre>
 *
 * <p>Advancing by less than the timeout ends nothing; the watchdog waits on, still one waiter.
 *
 * <p>Instances are thread-safe.
 */
public final class ManualTimeSource implements TimeSource {

  /** A thread blocked in {@link #awaitNanos}: woken when the time passes its deadline. */
  private record Waiter(Lock lock, Condition condition, long deadline) {}

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition waitersChanged = lock.newCondition();
  private final List<Waiter> waiters = new ArrayList<>();
  private final List<Duration> sleeps = new ArrayList<>();
  private final long start;
  private volatile long now;

  /** Creates a source that starts at zero nanoseconds. */
  public ManualTimeSource() {
    this(0L);
  }

  /**
   * Creates a source that starts at the given reading, for tests of wrap-around (a start near
   * {@link Long#MAX_VALUE}).
   *
   * @param startNanos the first value {@link #nanoTime()} returns
   */
  public ManualTimeSource(long startNanos) {
    this.start = startNanos;
    this.now = startNanos;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  /**
   * Returns how much time has passed on this source since it was created.
   *
   * @return the time advanced so far, sleeps included
   */
  public Duration elapsed() {
    return Duration.ofNanos(now - start);
  }

  /**
   * Moves the time forward and wakes every timed wait whose deadline has now passed.
   *
   * @param duration how far to move; zero is allowed
   * @throws IllegalArgumentException if {@code duration} is negative
   * @throws NullPointerException if {@code duration} is null
   */
  public void advance(Duration duration) {
    Checks.nonNegative(duration, "duration");
    advanceNanos(duration.toNanos());
  }

  /**
   * Returns at once after advancing the time by {@code duration} and recording the sleep; see
   * {@link #sleeps()}.
   *
   * @throws InterruptedException if the calling thread is interrupted; nothing is recorded then
   */
  @Override
  public void sleep(Duration duration) throws InterruptedException {
    Checks.notNull(duration, "duration");
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before sleeping " + duration);
    }
    long nanos = Math.max(0L, duration.toNanos());
    lock.lock();
    try {
      sleeps.add(Duration.ofNanos(nanos));
    } finally {
      lock.unlock();
    }
    advanceNanos(nanos);
  }

  /**
   * Returns every sleep recorded so far, in order, including sleeps of zero.
   *
   * @return an immutable copy of the recorded sleeps
   */
  public List<Duration> sleeps() {
    lock.lock();
    try {
      return List.copyOf(sleeps);
    } finally {
      lock.unlock();
    }
  }

  /** Forgets the sleeps recorded so far; the time itself stays where it is. */
  public void clearSleeps() {
    lock.lock();
    try {
      sleeps.clear();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Blocks until the caller's condition is signalled, the thread is interrupted, or this source has
   * been advanced past {@code nanos} from now. Unlike {@link #sleep(Duration)}, this wait does not
   * move the time itself. A thread interrupted before it waits gets the {@link
   * InterruptedException} at once, whatever {@code nanos} is, as with the system source.
   */
  @Override
  public long awaitNanos(Lock waiterLock, Condition condition, long nanos)
      throws InterruptedException {
    if (Thread.interrupted()) {
      // As Condition.awaitNanos (the system source) does, even for a wait of zero: a loop that
      // passes here with its time used up must still see the interrupt in tests.
      throw new InterruptedException("interrupted before a timed wait");
    }
    if (nanos <= 0) {
      return nanos;
    }
    Waiter waiter = new Waiter(waiterLock, condition, now + nanos);
    if (!register(waiter)) {
      return waiter.deadline - now; // advanced past the deadline before we could register
    }
    try {
      // The caller holds waiterLock from registration until await() releases it, so an advance
      // that wants to signal this waiter cannot do so before the waiter is really waiting.
      condition.await();
    } finally {
      unregister(waiter); // nothing to do if an advance has removed it already
    }
    return waiter.deadline - now;
  }

  /**
   * Returns how many threads are blocked in a timed wait on this source right now. A thread woken
   * by an {@link #advance} no longer counts; one woken by a signal of its own condition counts
   * until it is out of {@link #awaitNanos}.
   *
   * @return the number of waiting threads
   */
  public int waiters() {
    lock.lock();
    try {
      return waiters.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Blocks (in real time) until at least {@code count} threads are in a timed wait on this source,
   * counted as {@link #waiters()} counts them. Tests call it before {@link #advance(Duration)} so
   * that the advance cannot race ahead of the waits it is meant to end, and again after it to wait
   * until the woken threads have come back to wait once more. Bound the test with a preemptive
   * timeout.
   *
   * @param count how many waiting threads to wait for
   * @throws InterruptedException if the calling thread is interrupted
   */
  public void awaitWaiters(int count) throws InterruptedException {
    lock.lock();
    try {
      while (waiters.size() < count) {
        waitersChanged.await();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Registers a waiter unless the time has already passed its deadline. An advance takes the same
   * lock to move the time and to collect the due waiters, so each waiter is either seen by that
   * advance or sees its time here; none is left blocked until some later advance.
   */
  private boolean register(Waiter waiter) {
    lock.lock();
    try {
      if (now - waiter.deadline >= 0) {
        return false;
      }
      waiters.add(waiter);
      waitersChanged.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void unregister(Waiter waiter) {
    lock.lock();
    try {
      waiters.removeIf(w -> w == waiter); // by identity: two waits may have equal records
      waitersChanged.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void advanceNanos(long nanos) {
    List<Waiter> due = new ArrayList<>();
    lock.lock();
    try {
      now += nanos;
      for (Waiter w : waiters) {
        if (now - w.deadline >= 0) {
          due.add(w);
        }
      }
      // Woken now, so no longer waiting: removed here, not when each thread gets its lock back,
      // so that awaitWaiters(n) after this advance counts only threads that wait again.
      waiters.removeIf(w -> now - w.deadline >= 0);
      waitersChanged.signalAll();
    } finally {
      lock.unlock();
    }
    // Signal outside our own lock: a waiter's lock may be held by a thread that is itself about
    // to read this source.
    for (Waiter w : due) {
      w.lock.lock();
      try {
        w.condition.signalAll();
      } finally {
        w.lock.unlock();
      }
    }
  }

  @Override
  public String toString() {
    return "ManualTimeSource[elapsed=" + elapsed() + "]";
  }
}
