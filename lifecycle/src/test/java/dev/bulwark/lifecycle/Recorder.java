package dev.bulwark.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Records events and lets a test wait (in real time, bounded) until one matches. */
final class Recorder<E> implements Consumer<E> {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition added = lock.newCondition();
  private final List<E> events = new ArrayList<>();

  @Override
  public void accept(E e) {
    lock.lock();
    try {
      events.add(e);
      added.signalAll();
    } finally {
      lock.unlock();
    }
  }

  List<E> events() {
    lock.lock();
    try {
      return List.copyOf(events);
    } finally {
      lock.unlock();
    }
  }

  <T extends E> List<T> events(Class<T> type) {
    return events().stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Waits until {@code count} recorded events match; fails after ten seconds. */
  <T extends E> T await(Class<T> type, Predicate<? super T> match, int count)
      throws InterruptedException {
    long nanos = TimeUnit.SECONDS.toNanos(10);
    lock.lock();
    try {
      while (true) {
        List<T> found =
            events.stream().filter(type::isInstance).map(type::cast).filter(match).toList();
        if (found.size() >= count) {
          return found.get(count - 1);
        }
        if (nanos <= 0) {
          throw new AssertionError(
              "no " + count + " matching " + type.getSimpleName() + " in " + events);
        }
        nanos = added.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  <T extends E> T await(Class<T> type, Predicate<? super T> match) throws InterruptedException {
    return await(type, match, 1);
  }

  static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }
}
