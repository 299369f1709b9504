package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.internal.JobRunners;
import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * Background jobs after the response — "send the welcome email" — with a bounded queue, a fixed
 * number of runners, an optional {@link Policy} (a retry, say) around each job, a handle per job,
 * and a stop that hands back every job it did not finish.
 *
 * <pre>{@code
 * JobQueue<Email> emails = JobQueue.builder("emails", mailer::send)
 *     .capacity(1_000)
 *     .concurrency(4)
 *     .policy(retry)                                    // any dev.bulwark.resilience.Policy
 *     .unfinishedSink(jobs -> outbox.saveAll(jobs))     // nothing is silently lost
 *     .build();
 * supervisorBuilder.jobQueue(emails, c -> c.grace(Duration.ofSeconds(10)));
 * ...
 * JobHandle<Email> handle = emails.submit(welcome);     // or JobQueueFullException: HTTP 503
 * }</pre>
 *
 * <p><b>Refusals.</b> A full queue refuses with {@link JobQueueFullException}, whose {@code
 * retryAfter} estimates when a place frees up (the average run time of recent jobs divided by the
 * number of runners) once jobs have finished; a stopping queue refuses with {@link
 * JobQueueClosedException}. Jobs may be submitted before the queue starts; they wait for it.
 *
 * <p><b>Stop.</b> A queue is a component of a {@link Supervisor} (or is started and stopped on its
 * own with {@link #start()} and {@link #stop(Duration, Duration)}). On stop it takes no more jobs
 * and lets the runners finish the running and queued jobs within the grace period; then it
 * interrupts the runners, which end after their current job without taking another. Every job that
 * did not finish comes back as an {@link UnfinishedJob}: still queued ({@code NOT_STARTED}), ended
 * by the interrupt ({@code INTERRUPTED}), or still running when the time ran out ({@code
 * ABANDONED}). The same list goes to the optional sink and into the supervisor's {@link
 * ShutdownReport}. Submitted = succeeded + failed + cancelled by the caller + handed back, exactly,
 * counted when the stop returns. An {@code ABANDONED} job was still running then and may still end
 * afterwards (its handle then turns {@code SUCCEEDED} or {@code FAILED}): a caller that re-queues
 * it should expect that it may have run once already. A job may stop its own queue (through its
 * supervisor's {@code stop()} or {@link #stop(Duration, Duration)}): its runner is neither waited
 * for nor interrupted, since it cannot end before that call returns to it, and the job is not
 * handed back; its handle shows how it ended once it returns.
 *
 * @param <J> the job type
 */
public final class JobQueue<J> implements EventSource<JobQueueEvent> {

  /**
   * The configuration of a job queue, as built: its settings only, as the policies' {@code Config}
   * records; the name is {@link JobQueue#name()}, and the time source is not part of it.
   *
   * @param capacity how many jobs may wait
   * @param concurrency how many jobs run at once (the number of runners)
   * @param policy the policy around every job that is submitted without its own
   */
  public record Config(int capacity, int concurrency, Optional<Policy> policy) {

    /**
     * Checks the fields.
     *
     * @throws NullPointerException if a field is null
     */
    public Config {
      Checks.notNull(policy, "policy");
    }
  }

  /** Default number of jobs that may wait. */
  public static final int DEFAULT_CAPACITY = 1_000;

  /** Default number of runners. */
  public static final int DEFAULT_CONCURRENCY = 4;

  private final String name;
  private final Config config;
  private final JobRunners<J> runners;
  private final TimeSource time;

  private JobQueue(Builder<J> b) {
    this.name = b.name;
    this.config = new Config(b.capacity, b.concurrency, Optional.ofNullable(b.policy));
    this.time = b.time;
    this.runners =
        new JobRunners<>(
            b.name,
            config,
            b.handler,
            b.time,
            b.threadFactory,
            b.sink,
            b.propagator,
            QueueRefusals.INSTANCE);
  }

  /**
   * Starts building a job queue.
   *
   * @param name the queue's name, also its component name in a supervisor
   * @param handler does each job
   * @param <J> the job type
   * @return a new builder; {@link Builder#build()} validates every setting, the arguments included
   */
  public static <J> Builder<J> builder(String name, JobHandler<? super J> handler) {
    return new Builder<>(name, handler);
  }

  /**
   * Returns the queue's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the configuration the queue was built with.
   *
   * @return the configuration
   */
  public Config config() {
    return config;
  }

  @Override
  public Subscription subscribe(Consumer<? super JobQueueEvent> listener) {
    return runners.listeners().subscribe(listener);
  }

  /**
   * Submits a job, to run under the queue's policy (if any).
   *
   * @param job the job
   * @return the job's handle, {@link JobHandle.Status#QUEUED}
   * @throws JobQueueFullException if the queue is full
   * @throws JobQueueClosedException if the queue is stopping or stopped
   * @throws NullPointerException if {@code job} is null
   */
  public JobHandle<J> submit(J job) {
    return submit(job, config.policy().orElse(null));
  }

  /**
   * Submits a job to run under {@code policy}, a retry say, instead of the queue's policy.
   *
   * @param job the job
   * @param policy the policy around this job, or null for none
   * @return the job's handle, {@link JobHandle.Status#QUEUED}
   * @throws JobQueueFullException if the queue is full
   * @throws JobQueueClosedException if the queue is stopping or stopped
   * @throws NullPointerException if {@code job} is null
   */
  public JobHandle<J> submit(J job, Policy policy) {
    return new JobHandle<>(runners.submit(Checks.notNull(job, "job"), policy));
  }

  /**
   * Returns how many jobs wait now.
   *
   * @return the number of queued jobs
   */
  public int queued() {
    return runners.queued();
  }

  /**
   * Returns how many jobs run now.
   *
   * @return the number of running jobs
   */
  public int running() {
    return runners.running();
  }

  /**
   * Returns the jobs this queue's stop handed back (by {@link #stop(Duration, Duration)} or by its
   * supervisor's stop), typed: the same list as in the stop's result and the {@link
   * ShutdownReport}, with no cast needed.
   *
   * @return the unfinished jobs, or an empty list if the queue has not stopped
   */
  public List<UnfinishedJob<J>> unfinishedJobs() {
    return runners.unfinishedJobs();
  }

  /**
   * Starts the runners, for a queue used without a supervisor.
   *
   * @throws IllegalStateException if the queue belongs to a supervisor, or was started or stopped
   *     before
   */
  public void start() {
    runners.checkUnowned("starts");
    runners.start();
  }

  /**
   * Stops a queue used without a supervisor: takes no more jobs, lets the runners finish within
   * {@code grace}, then interrupts them and waits at most {@code interruptTimeout} more. This is
   * the supervisor's stop protocol (signal, grace, interrupt, abandon) inside a budget of {@code
   * grace + interruptTimeout}: under a supervisor the queue's grace and interrupt timeout are its
   * component settings, inside the supervisor's one budget. Hands back every job that did not
   * finish, and passes them to the sink too. Calling it again returns the same list. Interrupting
   * the calling thread cuts the waits short; the interrupt is restored.
   *
   * @param grace how long the runners may drain the queue
   * @param interruptTimeout how long to wait after interrupting them
   * @return the unfinished jobs
   * @throws IllegalStateException if the queue belongs to a supervisor
   * @throws IllegalArgumentException if a duration is negative
   * @throws NullPointerException if a duration is null
   */
  public List<UnfinishedJob<J>> stop(Duration grace, Duration interruptTimeout) {
    Checks.nonNegative(grace, "grace");
    Checks.nonNegative(interruptTimeout, "interruptTimeout");
    runners.checkUnowned("stops");
    return runners.stopAlone(time, grace, interruptTimeout);
  }

  /** The queue's runners and the steps of its stop, which its supervisor's component drives. */
  JobRunners<J> runners() {
    return runners;
  }

  @Override
  public String toString() {
    return "JobQueue[" + name() + ", " + queued() + " queued, " + running() + " running]";
  }

  /**
   * Builds a {@link JobQueue}; every setting is validated by {@link #build()}.
   *
   * @param <J> the job type
   */
  public static final class Builder<J> {
    private final String name;
    private final JobHandler<? super J> handler;
    private int capacity = DEFAULT_CAPACITY;
    private int concurrency = DEFAULT_CONCURRENCY;
    private Policy policy;
    private ThreadFactory threadFactory;
    private TimeSource time = TimeSource.system();
    private Consumer<? super List<UnfinishedJob<J>>> sink;
    private ContextPropagator propagator = ContextPropagator.none();

    private boolean policySet;
    private boolean threadFactorySet;
    private boolean sinkSet;

    private Builder(String name, JobHandler<? super J> handler) {
      this.name = name;
      this.handler = handler;
    }

    /**
     * Sets how many jobs may wait (default 1,000); at least 1.
     *
     * @param capacity the capacity
     * @return this builder
     */
    public Builder<J> capacity(int capacity) {
      this.capacity = capacity;
      return this;
    }

    /**
     * Sets how many jobs run at once, the number of runner threads (default 4); at least 1.
     *
     * @param concurrency the number of runners
     * @return this builder
     */
    public Builder<J> concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /**
     * Sets the policy around every job submitted without its own, a {@code Retry} say (default:
     * none).
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder<J> policy(Policy policy) {
      this.policy = policy;
      this.policySet = true;
      return this;
    }

    /**
     * Sets the factory of the runner threads (default: virtual threads).
     *
     * @param threadFactory the factory
     * @return this builder
     */
    public Builder<J> threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = threadFactory;
      this.threadFactorySet = true;
      return this;
    }

    /**
     * Sets the time source for run times, estimates and {@link JobHandle#await(Duration)} (default
     * {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder<J> timeSource(TimeSource timeSource) {
      this.time = timeSource;
      return this;
    }

    /**
     * Sets where the unfinished jobs go when the queue stops (durable storage, another queue);
     * called once, with every unfinished job, if there are any. It runs on the stopping thread
     * after the runners' time is up, so its own time is not bounded by the stop's budget: keep it
     * quick. A sink that throws is logged; the jobs are still in the stop's result.
     *
     * @param sink receives the unfinished jobs
     * @return this builder
     */
    public Builder<J> unfinishedSink(Consumer<? super List<UnfinishedJob<J>>> sink) {
      this.sink = sink;
      this.sinkSet = true;
      return this;
    }

    /**
     * Sets what carries the submitter's thread context (an MDC, a trace span, a {@link
     * ThreadLocal}) to the runner that runs the job (default {@link ContextPropagator#none()}): it
     * is captured in {@link JobQueue#submit(Object)} and restored around the job, its policy
     * included.
     *
     * @param propagator the propagator
     * @return this builder
     */
    public Builder<J> contextPropagator(ContextPropagator propagator) {
      this.propagator = propagator;
      return this;
    }

    /**
     * Validates the settings and builds the queue.
     *
     * @return the queue, not started
     * @throws IllegalArgumentException if {@code capacity} or {@code concurrency} is less than 1
     * @throws NullPointerException if the name, the handler or any setting given is null
     */
    public JobQueue<J> build() {
      Checks.notNull(name, "name");
      Checks.notNull(handler, "handler");
      Checks.atLeast(capacity, 1, "capacity");
      Checks.atLeast(concurrency, 1, "concurrency");
      if (policySet) {
        Checks.notNull(policy, "policy");
      }
      if (threadFactorySet) {
        Checks.notNull(threadFactory, "threadFactory");
      }
      Checks.notNull(time, "timeSource");
      if (sinkSet) {
        Checks.notNull(sink, "unfinishedSink");
      }
      Checks.notNull(propagator, "contextPropagator");
      return new JobQueue<>(this);
    }
  }
}
