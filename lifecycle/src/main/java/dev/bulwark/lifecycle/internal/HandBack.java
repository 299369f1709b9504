package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.JobHandle;
import dev.bulwark.lifecycle.UnfinishedJob;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/*
 * The hand-back of a stopping job queue: every job that did not finish, once. Jobs a forced stop's
 * interrupt ended are recorded as their runners see them end; when the stop hands back, the still
 * queued jobs are cancelled and join them, and so do the running ones if the stop abandoned them
 * (except a job that is stopping its own queue: it ends when the stop returns). The list, in
 * submission order, is fixed from then on and goes to the user's sink once. Not thread-safe: the
 * queue's runners call it under their lock, except deliver, which runs after the lock is released.
 */
final class HandBack<J> {

  private final String queue;
  private final UnfinishedSink<J> sink;
  private final List<UnfinishedJob<J>> interrupted = new ArrayList<>();
  private List<UnfinishedJob<J>> handedBack;

  HandBack(String queue, Consumer<? super List<UnfinishedJob<J>>> sink) {
    this.queue = queue;
    this.sink = new UnfinishedSink<>(queue, sink);
  }

  /**
   * Records a job that failed after a forced stop's interrupt, unless the jobs were handed back
   * already; returns whether it was recorded (the job is then cancelled, not failed).
   */
  boolean interrupted(QueuedJob<J> h) {
    if (handedBack != null) {
      return false;
    }
    interrupted.add(new UnfinishedJob<>(queue, h.id(), h.job(), UnfinishedJob.Reason.INTERRUPTED));
    return true;
  }

  /** Returns the list handed back, or null before the hand-back. */
  List<UnfinishedJob<J>> handedBack() {
    return handedBack;
  }

  /**
   * Collects the unfinished jobs, marking the queued ones cancelled; the caller then clears its
   * queue, and delivers the list once it has released its lock.
   */
  List<UnfinishedJob<J>> collect(
      Collection<QueuedJob<J>> queued, Collection<QueuedJob<J>> running, boolean abandoned) {
    List<UnfinishedJob<J>> list = new ArrayList<>(interrupted);
    for (QueuedJob<J> h : queued) {
      list.add(new UnfinishedJob<>(queue, h.id(), h.job(), UnfinishedJob.Reason.NOT_STARTED));
      h.moveTo(JobHandle.Status.CANCELLED, null);
    }
    if (abandoned) {
      for (QueuedJob<J> h : running) {
        if (h.runner == Thread.currentThread()) {
          continue; // the job that is stopping its own queue: it ends when the stop returns
        }
        list.add(new UnfinishedJob<>(queue, h.id(), h.job(), UnfinishedJob.Reason.ABANDONED));
      }
    }
    list.sort((a, b) -> Long.compare(a.id(), b.id()));
    handedBack = List.copyOf(list);
    return handedBack;
  }

  /** Passes the list to the user's sink, if any; a sink that throws is logged. */
  void deliver(List<UnfinishedJob<J>> jobs) {
    sink.deliver(jobs);
  }
}
