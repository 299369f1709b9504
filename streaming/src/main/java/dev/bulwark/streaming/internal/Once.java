package dev.bulwark.streaming.internal;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs a clean-up at most once, from whichever thread gets there first; logs its failure. */
final class Once {
  private static final System.Logger LOG = System.getLogger("dev.bulwark.streaming");

  private final AtomicBoolean done = new AtomicBoolean();

  /** Returns true the first time only. */
  boolean first() {
    return done.compareAndSet(false, true);
  }

  boolean done() {
    return done.get();
  }

  /** Closes {@code resource}, logging rather than throwing what it throws. */
  static void closeQuietly(AutoCloseable resource, Object owner) {
    try {
      resource.close();
    } catch (Exception | LinkageError | AssertionError failure) {
      LOG.log(Level.WARNING, () -> "closing " + owner + " failed", failure);
    }
  }
}
