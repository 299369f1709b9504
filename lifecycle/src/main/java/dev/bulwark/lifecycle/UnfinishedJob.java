package dev.bulwark.lifecycle;

import dev.bulwark.resilience.internal.Checks;

/**
 * A job that a stopping {@link JobQueue} could not finish, handed back so that the caller can
 * persist or re-queue it: nothing is silently lost.
 *
 * @param queue the name of the job queue
 * @param id the job's id, as its {@link JobHandle#id()}
 * @param job the job itself
 * @param reason why it did not finish
 * @param <J> the job type
 */
public record UnfinishedJob<J>(String queue, long id, J job, Reason reason) {

  /** Why a job did not finish. */
  public enum Reason {
    /** It was still queued; it never ran. Its handle is {@link JobHandle.Status#CANCELLED}. */
    NOT_STARTED,
    /**
     * It was running and ended by the stop's interrupt, failing. Its handle is {@link
     * JobHandle.Status#CANCELLED}; it may have done part of its work.
     */
    INTERRUPTED,
    /**
     * It was still running when the queue's time ran out and is left running; its handle stays
     * {@link JobHandle.Status#RUNNING} and may still finish.
     */
    ABANDONED
  }

  /**
   * Checks the fields.
   *
   * @throws NullPointerException if {@code queue}, {@code job} or {@code reason} is null
   */
  public UnfinishedJob {
    Checks.notNull(queue, "queue");
    Checks.notNull(job, "job");
    Checks.notNull(reason, "reason");
  }
}
