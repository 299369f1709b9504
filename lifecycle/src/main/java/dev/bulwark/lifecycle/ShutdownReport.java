package dev.bulwark.lifecycle;

import dev.bulwark.resilience.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@link Supervisor#stop()} did: per component, whether it stopped gracefully, stopped after
 * an interrupt, or was abandoned still running, how long that took, and every background job that
 * did not finish.
 *
 * @param name the supervisor's name
 * @param elapsed how long the whole stop took, drain delay included, on the supervisor's time
 *     source
 * @param budget the total budget the stop had
 * @param components one entry per component, in the order they were stopped (reverse of start)
 */
public record ShutdownReport(
    String name, Duration elapsed, Duration budget, List<ComponentReport> components) {

  /** How a component ended. */
  public enum Outcome {
    /** It stopped within its grace period after the stop signal. */
    GRACEFUL,
    /** It ignored the stop signal but stopped after its thread was interrupted. */
    INTERRUPTED,
    /**
     * It was still running when its time (or the total budget) ran out; it may still be running.
     */
    ABANDONED,
    /** It was not running when the stop came: never started, failed, or finished on its own. */
    NOT_RUNNING
  }

  /**
   * How one component ended.
   *
   * @param name the component's name
   * @param outcome how it ended
   * @param duration from the stop signal to the end (or to abandonment)
   * @param failure what its stop threw, if it threw
   * @param unfinishedJobs for a {@link JobQueue}, every job that did not finish; empty otherwise
   */
  public record ComponentReport(
      String name,
      Outcome outcome,
      Duration duration,
      Optional<Throwable> failure,
      List<UnfinishedJob<?>> unfinishedJobs) {

    /**
     * Checks and copies the fields.
     *
     * @throws NullPointerException if a field is null
     */
    public ComponentReport {
      Checks.notNull(name, "name");
      Checks.notNull(outcome, "outcome");
      Checks.notNull(duration, "duration");
      Checks.notNull(failure, "failure");
      unfinishedJobs = List.copyOf(unfinishedJobs);
    }
  }

  /**
   * Checks and copies the fields.
   *
   * @throws NullPointerException if a field is null
   */
  public ShutdownReport {
    Checks.notNull(name, "name");
    Checks.notNull(elapsed, "elapsed");
    Checks.notNull(budget, "budget");
    components = List.copyOf(components);
  }

  /**
   * Returns the report of the named component.
   *
   * @param component the component's name
   * @return its report, or empty if there is no such component
   */
  public Optional<ComponentReport> component(String component) {
    return components.stream().filter(c -> c.name().equals(component)).findFirst();
  }

  /**
   * Returns true if every component that was running stopped gracefully.
   *
   * @return whether nothing had to be interrupted or abandoned
   */
  public boolean graceful() {
    return components.stream()
        .allMatch(c -> c.outcome() == Outcome.GRACEFUL || c.outcome() == Outcome.NOT_RUNNING);
  }

  /**
   * Returns the names of the components that were abandoned still running.
   *
   * @return the abandoned components, in stop order
   */
  public List<String> abandoned() {
    return components.stream()
        .filter(c -> c.outcome() == Outcome.ABANDONED)
        .map(ComponentReport::name)
        .toList();
  }

  /**
   * Returns the unfinished jobs of one job queue, typed by the queue's job type.
   *
   * @param queue the job queue, a component of the supervisor that made this report
   * @param <J> the queue's job type
   * @return its unfinished jobs; empty if it had none or is not in this report
   * @throws NullPointerException if {@code queue} is null
   */
  public <J> List<UnfinishedJob<J>> unfinishedJobs(JobQueue<J> queue) {
    Checks.notNull(queue, "queue");
    List<UnfinishedJob<J>> jobs = new ArrayList<>();
    for (ComponentReport c : components) {
      for (UnfinishedJob<?> u : c.unfinishedJobs()) {
        if (u.queue().equals(queue.name())) {
          // the supervisor filled this list from the queue itself, whose jobs are J
          @SuppressWarnings("unchecked")
          UnfinishedJob<J> typed = (UnfinishedJob<J>) u;
          jobs.add(typed);
        }
      }
    }
    return List.copyOf(jobs);
  }

  /**
   * Returns every unfinished job of every job queue, for a caller that persists or re-queues them.
   * To get one queue's jobs with their type, use {@link #unfinishedJobs(JobQueue)}.
   *
   * @return the unfinished jobs
   */
  public List<UnfinishedJob<?>> unfinishedJobs() {
    List<UnfinishedJob<?>> all = new ArrayList<>();
    for (ComponentReport c : components) {
      all.addAll(c.unfinishedJobs());
    }
    return List.copyOf(all);
  }
}
