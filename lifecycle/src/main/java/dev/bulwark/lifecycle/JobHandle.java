package dev.bulwark.lifecycle;

import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The handle of one job submitted to a {@link JobQueue}: its id, its status, its failure, and a way
 * to wait for it or cancel it while it is queued.
 *
 * @param <J> the job type
 */
public final class JobHandle<J> {

  /** Where a job is. */
  public enum Status {
    /** Waiting for a runner. */
    QUEUED,
    /** A runner is running it. */
    RUNNING,
    /** It ran and returned. */
    SUCCEEDED,
    /** It ran and threw (after its policy, a retry say, gave up). */
    FAILED,
    /** It was cancelled while queued, or handed back unfinished by a stopping queue. */
    CANCELLED;

    /**
     * Returns true for the final statuses.
     *
     * @return whether the job is done
     */
    public boolean isDone() {
      return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
  }

  private final JobRunners<J> queue;
  private final long id;
  private final J job;
  final Policy policy;
  final long submittedAt;
  final ContextPropagator.Snapshot context;
  Thread runner; // the runner that took the job; guarded by the queue's lock
  private final TimeSource time;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition done = lock.newCondition();
  private volatile Status status = Status.QUEUED;
  private volatile Throwable failure;

  JobHandle(
      JobRunners<J> queue,
      long id,
      J job,
      Policy policy,
      TimeSource time,
      ContextPropagator.Snapshot context) {
    this.context = context;
    this.queue = queue;
    this.id = id;
    this.job = job;
    this.policy = policy;
    this.time = time;
    this.submittedAt = time.nanoTime();
  }

  /**
   * Returns the job's id, unique within its queue and increasing in submission order.
   *
   * @return the id
   */
  public long id() {
    return id;
  }

  /**
   * Returns the job.
   *
   * @return the job
   */
  public J job() {
    return job;
  }

  /**
   * Returns the job's status now.
   *
   * @return the status
   */
  public Status status() {
    return status;
  }

  /**
   * Returns the job's failure: what it threw if {@link Status#FAILED}, or what the interrupt made
   * it throw if it was handed back {@linkplain UnfinishedJob.Reason#INTERRUPTED interrupted}.
   *
   * @return the failure, or empty
   */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Waits until the job is done or {@code timeout} has passed on the queue's time source.
   *
   * @param timeout the most time to wait
   * @return the status on return; not {@linkplain Status#isDone() done} if the time ran out
   * @throws InterruptedException if the thread is interrupted while it waits
   * @throws NullPointerException if {@code timeout} is null
   */
  public Status await(Duration timeout) throws InterruptedException {
    Checks.notNull(timeout, "timeout");
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

  /**
   * Cancels the job if it is still queued; a running or finished job is not affected.
   *
   * @return true if the job was queued and is now {@link Status#CANCELLED}
   */
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

  /** Moves to a new status; the queue calls it under its own lock. */
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

  @Override
  public String toString() {
    return "JobHandle[" + queue.name() + "#" + id + ", " + status + "]";
  }
}
