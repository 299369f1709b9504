package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.internal.QueuedJob;
import dev.bulwark.resilience.internal.Checks;
import java.time.Duration;
import java.util.Optional;

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

  private final QueuedJob<J> state;

  /** The handle of a queued job, whose state the queue's runners change. */
  JobHandle(QueuedJob<J> state) {
    this.state = state;
  }

  /**
   * Returns the job's id, unique within its queue and increasing in submission order.
   *
   * @return the id
   */
  public long id() {
    return state.id();
  }

  /**
   * Returns the job.
   *
   * @return the job
   */
  public J job() {
    return state.job();
  }

  /**
   * Returns the job's status now.
   *
   * @return the status
   */
  public Status status() {
    return state.status();
  }

  /**
   * Returns the job's failure: what it threw if {@link Status#FAILED}, or what the interrupt made
   * it throw if it was handed back {@linkplain UnfinishedJob.Reason#INTERRUPTED interrupted}.
   *
   * @return the failure, or empty
   */
  public Optional<Throwable> failure() {
    return state.failure();
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
    return state.await(Checks.notNull(timeout, "timeout"));
  }

  /**
   * Cancels the job if it is still queued; a running or finished job is not affected.
   *
   * @return true if the job was queued and is now {@link Status#CANCELLED}
   */
  public boolean cancel() {
    return state.cancel();
  }

  @Override
  public String toString() {
    return "JobHandle[" + state.queueName() + "#" + state.id() + ", " + state.status() + "]";
  }
}
