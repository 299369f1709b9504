package dev.bulwark.streaming;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.streaming.internal.Waits;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Ends a write that makes no progress: a half-open connection (cable pulled) may never fail a
 * write, and a client that stops reading fills the socket's buffers until the write blocks.
 *
 * <p><b>How.</b> The writing thread brackets each blocking write with {@link #begin()} and {@link
 * #end()}. One watcher thread per stream sleeps until a write begins, then waits (through the time
 * source) until that write's deadline; if the same write is still in progress then, it marks the
 * stream stalled and interrupts the writing thread. Interrupting a virtual thread blocked in socket
 * I/O closes the socket, and a {@code SocketChannel} write is interruptible on any thread, so the
 * write fails at once. The interrupt is sent under the lock and only while a write is in progress,
 * so it cannot hit the writer anywhere else; {@link #end()} clears it again. The cost on the
 * writing thread is two uncontended lock acquisitions per write.
 */
final class StallWatchdog implements AutoCloseable {

  private final TimeSource time;
  private final long stallNanos;
  private final Thread writer;
  private final Thread watcher;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private boolean writing;
  private long writeStarted;
  private long writeSeq;
  private boolean stalled;
  private boolean closed;

  StallWatchdog(TimeSource time, long stallNanos, ThreadFactory threadFactory) {
    this.time = time;
    this.stallNanos = stallNanos;
    this.writer = Thread.currentThread();
    this.watcher = threadFactory.newThread(this::watch);
    watcher.start();
  }

  /** Marks the start of a blocking write on the writing thread. */
  void begin() {
    lock.lock();
    try {
      writing = true;
      writeSeq++;
      writeStarted = time.nanoTime();
      changed.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks the end of the write; returns true if the watchdog declared it stalled (the interrupt it
   * sent is then cleared).
   */
  boolean end() {
    lock.lock();
    try {
      writing = false;
      if (stalled) {
        Thread.interrupted();
      }
      return stalled;
    } finally {
      lock.unlock();
    }
  }

  private void watch() {
    lock.lock();
    try {
      while (!closed && !stalled) {
        if (!writing) {
          changed.await();
          continue;
        }
        long seq = writeSeq;
        long left = writeStarted + stallNanos - time.nanoTime();
        if (left <= 0) {
          stalled = true;
          writer.interrupt();
          return;
        }
        Waits.await(time, lock, changed, left);
        if (writeSeq != seq) {
          continue; // a newer write: its own deadline counts
        }
      }
    } catch (InterruptedException stop) {
      // closed from outside; nothing to clean up
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    boolean interrupted = false;
    while (true) {
      try {
        watcher.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
