package dev.bulwark.lifecycle;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A call running on a thread of its own, for a test that must act while the call blocks. */
final class Async<T> {

  private final FutureTask<T> task;
  private final Thread thread;

  private Async(Callable<T> call) {
    task = new FutureTask<>(call);
    thread = Thread.ofVirtual().start(task);
  }

  static <T> Async<T> run(Callable<T> call) {
    return new Async<>(call);
  }

  /** Waits (in real time, at most ten seconds) for the result; rethrows the call's failure. */
  T get() throws Exception {
    try {
      return task.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new AssertionError("the call did not return within 10s; it is at " + thread, e);
    }
  }

  /** Returns the failure the call threw. */
  Throwable failure() throws Exception {
    try {
      task.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the call returned normally");
  }

  /** Waits at most {@code timeout} (real time) for the call to end; true if it has. */
  boolean awaitDone(Duration timeout) throws InterruptedException {
    try {
      task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // done with a failure, or not done
    }
    return task.isDone();
  }

  boolean isDone() {
    return task.isDone();
  }

  void join() throws InterruptedException {
    thread.join(Duration.ofSeconds(10));
  }
}
