package dev.bulwark.lifecycle.internal;

import java.util.concurrent.atomic.AtomicReference;

/*
 * Which supervisor, if any, owns a job queue. A queue joins at most one supervisor, and only while
 * it is new (never started or stopped on its own); from then on that supervisor alone starts and
 * stops it, and the queue's own start() and stop(...) refuse. A supervisor whose build was refused
 * gives the queue up again.
 */
final class QueueOwnership {

  private final String queue;
  private final AtomicReference<String> owner = new AtomicReference<>();

  QueueOwnership(String queue) {
    this.queue = queue;
  }

  /** Throws if a supervisor owns the queue: it alone {@code does} (starts, stops) it. */
  void checkUnowned(String does) {
    String o = owner.get();
    if (o != null) {
      throw new IllegalStateException(
          "job queue '" + queue + "' belongs to supervisor '" + o + "', which " + does + " it");
    }
  }

  /**
   * Gives the queue to {@code supervisor}, or throws if it has an owner or a past of its own.
   *
   * @param past why the queue is no longer new ("was started before"), or null if it is
   */
  void attach(String supervisor, String past) {
    if (past == null && owner.compareAndSet(null, supervisor)) {
      return;
    }
    String o = owner.get();
    throw new IllegalArgumentException(
        "job queue '"
            + queue
            + "' cannot join supervisor '"
            + supervisor
            + "': it "
            + (o != null ? "belongs to supervisor '" + o + "'" : past));
  }

  /** Undoes {@link #attach} for a supervisor whose build was refused. */
  void detach(String supervisor) {
    owner.updateAndGet(o -> supervisor.equals(o) ? null : o);
  }
}
