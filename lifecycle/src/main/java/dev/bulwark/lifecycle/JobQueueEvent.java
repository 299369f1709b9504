package dev.bulwark.lifecycle;

import java.time.Duration;
import java.util.List;

/** What a {@link JobQueue} publishes. {@link #name()} is the queue's name. */
public sealed interface JobQueueEvent {

  /**
   * Returns the name of the queue that published the event.
   *
   * @return the queue's name
   */
  String name();

  /**
   * A job was accepted.
   *
   * @param name the queue's name
   * @param id the job's id
   */
  record Submitted(String name, long id) implements JobQueueEvent {}

  /**
   * A job was refused.
   *
   * @param name the queue's name
   * @param reason the refusal
   */
  record Rejected(String name, RuntimeException reason) implements JobQueueEvent {}

  /**
   * A job started running.
   *
   * @param name the queue's name
   * @param id the job's id
   * @param waited how long it was queued
   */
  record Started(String name, long id, Duration waited) implements JobQueueEvent {}

  /**
   * A job ended.
   *
   * @param name the queue's name
   * @param id the job's id
   * @param status its final status
   * @param duration how long it ran
   * @param failure its failure, or null
   */
  record Finished(
      String name, long id, JobHandle.Status status, Duration duration, Throwable failure)
      implements JobQueueEvent {}

  /**
   * The queue stopped and handed back the jobs it did not finish.
   *
   * @param name the queue's name
   * @param unfinished the unfinished jobs
   */
  record Stopped(String name, List<UnfinishedJob<?>> unfinished) implements JobQueueEvent {}
}
