package dev.bulwark.lifecycle.internal;

import java.util.concurrent.atomic.AtomicReference;

/*
 * A supervisor's JVM shutdown hook, on its own: registered at start (if asked for), removed by an
 * explicit stop so that the JVM does not keep the supervisor. The hook only runs the stop; it
 * never calls System.exit. Registering or removing it while the JVM is already shutting down is
 * harmless: the hook runs (or ran) the stop, which returns the same report to every caller.
 */
final class ShutdownHook {

  private final AtomicReference<Thread> hook = new AtomicReference<>();

  /** Registers a platform thread named {@code name} that runs {@code stop}. */
  void register(String name, Runnable stop) {
    Thread t = Thread.ofPlatform().name(name).unstarted(stop);
    hook.set(t);
    try {
      Runtime.getRuntime().addShutdownHook(t);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; whoever is stopping it will call stop()
    }
  }

  /** Removes the hook, unless it is the calling thread (the hook itself is stopping). */
  void remove() {
    Thread t = hook.getAndSet(null);
    if (t != null && t != Thread.currentThread()) {
      try {
        Runtime.getRuntime().removeShutdownHook(t);
      } catch (IllegalStateException e) {
        // shutdown in progress: the hook runs (or ran) stop(), which returns the same report
      }
    }
  }

  /** The registered hook, or null. */
  Thread thread() {
    return hook.get();
  }
}
