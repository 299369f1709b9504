package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.JobHandle.Status;
import dev.bulwark.lifecycle.JobHandler;
import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state of one job of a {@link JobRunners}: the public {@code JobHandle} reads it, and only the
 * runners (this package) change it, so a job's status changes are no part of the API.
 *
 * @param <J> the job type
 */
public final class QueuedJob<J> {
  private final JobRunners<J> queue;
  private final long id;
  private final J job;
  private final Policy policy;
  final long submittedAt;
  private final ContextPropagator.Snapshot context;
  Thread runner; // the runner that took the job; guarded by the queue's lock
  private final TimeSource time;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition done = lock.newCondition();
  private volatile Status status = Status.QUEUED;
  private volatile Throwable failure;

  QueuedJob(
      JobRunners<J> queue,
      long id,
      J job,
      Policy policy,
      TimeSource time,
      ContextPropagator.Snapshot context) {
    this.queue = queue;
    this.id = id;
    this.job = job;
    this.policy = policy;
    this.time = time;
    this.context = context;
    this.submittedAt = time.nanoTime();
  }

  /** The job's id, unique within its queue and increasing in submission order. */
  public long id() {
    return id;
  }

  /** The job. */
  public J job() {
    return job;
  }

  /** The name of the job's queue. */
  public String queueName() {
    return queue.name();
  }

  /** The job's status now. */
  public Status status() {
    return status;
  }

  /** What the job threw, or what the interrupt of a stop made it throw. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /** Waits until the job is done or {@code timeout} has passed; returns the status then. */
  public Status await(Duration timeout) throws InterruptedException {
    long nanos = Durations.saturatedNanos(timeout);
    lock.lock();
    try {
      while (!status.isDone() && nanos > 0) {
        nanos = time.awaitNanos(lock, done, nanos);
      }
      return status;
    } finally {
      lock.unlock();
    }
  }

  /** Cancels the job if it is still queued; returns whether it was. */
  public boolean cancel() {
    return queue.cancel(this);
  }

  /**
   * Runs the job with {@code handler}, under its policy and in its submitter's context; returns
   * what it threw, or null. The runner calls it.
   */
  Throwable runWith(JobHandler<? super J> handler) {
    try {
      ContextPropagator.Scope scope = context.restore();
      try {
        if (policy == null) {
          handler.handle(job);
        } else {
          policy.run(() -> handler.handle(job));
        }
      } finally {
        scope.close();
      }
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  /** Moves to a new status; the runners call it under their own lock. */
  void moveTo(Status to, Throwable cause) {
    lock.lock();
    try {
      failure = cause;
      status = to;
      done.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
