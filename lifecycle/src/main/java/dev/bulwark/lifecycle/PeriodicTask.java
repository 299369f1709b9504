package dev.bulwark.lifecycle;

import dev.bulwark.lifecycle.internal.IterationFailedException;
import dev.bulwark.lifecycle.internal.RunContext;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * A {@link Worker} that runs an iteration periodically: at a fixed rate or with a fixed delay,
 * after an initial delay, with optional jitter, never overlapping itself.
 *
 * <pre>{@code
 * Worker refresh = PeriodicTask.fixedRate(Duration.ofSeconds(1))
 *     .initialDelay(Duration.ofMillis(500))
 *     .jitter(Duration.ofMillis(100))            // each tick up to 100 ms late, spreading load
 *     .onError(PeriodicTask.OnError.LOG_AND_CONTINUE)
 *     .build(ctx -> cache.refresh());
 * supervisorBuilder.worker("cache-refresh", refresh);
 * }</pre>
 *
 * <p>Unlike {@code ScheduledExecutorService}, an iteration that throws never silently ends the
 * schedule: the {@link OnError} policy decides, and the default logs the failure (through {@code
 * System.Logger} {@code dev.bulwark.lifecycle}) and goes on; under a supervisor the failure also
 * becomes the component's {@link ComponentHealth#lastFailure()} and a {@link
 * SupervisorEvent.IterationFailed} event, so failures can be counted.
 *
 * <p><b>Timing.</b> Time comes from the {@linkplain WorkerContext#timeSource() supervisor's time
 * source} and every wait is {@link WorkerContext#awaitStop(Duration)}, so a stop ends the wait at
 * once. Under a fixed rate, tick {@code k} is due at {@code first + k·period}; an iteration that
 * overruns one or more ticks makes the task skip them (it runs at the next tick still ahead), never
 * burst to catch up. Under a fixed delay, the next iteration starts {@code period} after the end of
 * the previous one. Jitter adds a uniformly random {@code [0, jitter)} to each wait, drawn from the
 * {@link Builder#random(RandomGenerator) random generator}; under a fixed rate it shifts each tick
 * without moving the grid.
 *
 * <p><b>Why its builder differs from the policies' {@code X.builder(name)}.</b> A periodic task is
 * a {@link Worker}: it gets its name, its time source and its thread where it is registered ({@code
 * supervisor.worker("cache-refresh", task)}), so its builder takes neither. The schedule is the one
 * setting without a default, so the factory that starts the builder names it ({@link
 * #fixedRate(Duration)}, {@link #fixedDelay(Duration)}); {@link Builder#build(Iteration)} takes the
 * iteration, validates every setting and returns the task, whose settings read back through {@link
 * #config()}.
 */
public final class PeriodicTask implements Worker {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.lifecycle");

  /** How ticks are spaced. */
  public enum Schedule {
    /** Ticks on a fixed grid: the period runs from the start of one iteration to the next. */
    FIXED_RATE,
    /** The period runs from the end of one iteration to the start of the next. */
    FIXED_DELAY
  }

  /** What an iteration that throws does to the task. */
  public enum OnError {
    /** Log the failure and run the next iteration on schedule (the default). */
    LOG_AND_CONTINUE,
    /** End the worker as failed, with no restart. */
    FAIL,
    /** End the worker with the failure, so that its restart policy restarts it. */
    RESTART
  }

  /**
   * One iteration of a periodic task.
   *
   * @see PeriodicTask
   */
  @FunctionalInterface
  public interface Iteration {

    /**
     * Runs one iteration.
     *
     * @param ctx the worker's context, for long iterations that check for a stop
     * @throws Exception if the iteration fails; the task's {@link OnError} policy decides
     */
    void run(WorkerContext ctx) throws Exception;
  }

  /**
   * The configuration of a periodic task, as built.
   *
   * @param schedule fixed rate or fixed delay
   * @param period the period
   * @param initialDelay the wait before the first iteration
   * @param jitter the most random time added to each wait
   * @param onError what a failing iteration does
   */
  public record Config(
      Schedule schedule, Duration period, Duration initialDelay, Duration jitter, OnError onError) {

    /**
     * Checks the fields.
     *
     * @throws NullPointerException if a field is null
     */
    public Config {
      Checks.notNull(schedule, "schedule");
      Checks.notNull(period, "period");
      Checks.notNull(initialDelay, "initialDelay");
      Checks.notNull(jitter, "jitter");
      Checks.notNull(onError, "onError");
    }
  }

  private final Config config;
  private final Iteration iteration;
  private final RandomGenerator random;
  private final long periodNanos;
  private final long jitterNanos;

  private PeriodicTask(Builder b, Iteration iteration) {
    this.config = new Config(b.schedule, b.period, b.initialDelay, b.jitter, b.onError);
    this.iteration = iteration;
    this.random = b.random;
    this.periodNanos = Durations.saturatedNanos(b.period);
    this.jitterNanos = Durations.saturatedNanos(b.jitter);
  }

  /**
   * Starts building a task whose ticks are {@code period} apart, start to start.
   *
   * @param period the period, positive
   * @return a new builder
   */
  public static Builder fixedRate(Duration period) {
    return new Builder(Schedule.FIXED_RATE, period);
  }

  /**
   * Starts building a task that waits {@code period} between the end of one iteration and the start
   * of the next.
   *
   * @param period the delay, positive
   * @return a new builder
   */
  public static Builder fixedDelay(Duration period) {
    return new Builder(Schedule.FIXED_DELAY, period);
  }

  /**
   * Returns the configuration this task was built with.
   *
   * @return the configuration
   */
  public Config config() {
    return config;
  }

  /*
   * The loop. `due` is the time of the next tick on the grid (fixed rate) or the end of the last
   * iteration plus the period (fixed delay); `target` is `due` plus this tick's jitter. The loop
   * waits until `target` with awaitStop, so a stop ends the wait, runs the iteration, and computes
   * the next `due`. Under a fixed rate a late iteration moves `due` forward by whole periods until
   * it lies ahead of now: the missed ticks are skipped, not run back to back.
   */
  @Override
  public void run(WorkerContext ctx) throws Exception {
    TimeSource time = ctx.timeSource();
    long due = time.nanoTime() + Durations.saturatedNanos(config.initialDelay());
    while (true) {
      long target = due + jitter();
      long wait = target - time.nanoTime();
      if (wait > 0 ? awaitTick(ctx, Duration.ofNanos(wait)) : ctx.isStopping()) {
        return;
      }
      ctx.heartbeat();
      try {
        iteration.run(ctx);
      } catch (InterruptedException e) {
        if (ctx.isStopping()) {
          return;
        }
        throw e;
      } catch (Exception e) {
        switch (config.onError()) {
          case LOG_AND_CONTINUE -> {
            LOG.log(
                Level.WARNING,
                () -> "an iteration of periodic task '" + ctx.name() + "' failed; continuing",
                e);
            if (ctx instanceof RunContext run) {
              run.iterationFailed(e); // its health's lastFailure, and an event to count
            }
          }
          case FAIL -> throw new IterationFailedException(ctx.name(), e);
          case RESTART -> throw e;
        }
      }
      ctx.heartbeat();
      due = nextDue(config.schedule(), due, time.nanoTime(), periodNanos);
    }
  }

  /**
   * Waits for the next tick. Under a supervisor the wait counts as idle, not as a stall: the stall
   * limit then bounds an iteration that hangs, not a period longer than the limit.
   */
  private static boolean awaitTick(WorkerContext ctx, Duration wait) throws InterruptedException {
    return ctx instanceof RunContext run ? run.awaitStopIdle(wait) : ctx.awaitStop(wait);
  }

  /**
   * Returns when the tick after the one due at {@code due} is due, an iteration having ended at
   * {@code now}: for a fixed delay {@code now + period}; for a fixed rate the first point of the
   * grid {@code due + k·period} (k ≥ 1) that lies after {@code now}, skipping the missed ones.
   */
  static long nextDue(Schedule schedule, long due, long now, long period) {
    if (schedule == Schedule.FIXED_DELAY) {
      return now + period;
    }
    long next = due + period;
    if (next - now <= 0) {
      next += ((now - next) / period + 1) * period;
    }
    return next;
  }

  private long jitter() {
    if (jitterNanos == 0) {
      return 0;
    }
    RandomGenerator r = random != null ? random : ThreadLocalRandom.current();
    return r.nextLong(jitterNanos);
  }

  @Override
  public String toString() {
    return "PeriodicTask["
        + config.schedule()
        + " "
        + Durations.format(config.period())
        + ", onError="
        + config.onError()
        + "]";
  }

  /** Builds a {@link PeriodicTask}; every setting is validated by {@link #build(Iteration)}. */
  public static final class Builder {
    private final Schedule schedule;
    private final Duration period;
    private Duration initialDelay = Duration.ZERO;
    private Duration jitter = Duration.ZERO;
    private OnError onError = OnError.LOG_AND_CONTINUE;
    private RandomGenerator random;
    private boolean randomSet;

    private Builder(Schedule schedule, Duration period) {
      this.schedule = schedule;
      this.period = period;
    }

    /**
     * Sets the wait before the first iteration (default zero).
     *
     * @param initialDelay the initial delay, not negative
     * @return this builder
     */
    public Builder initialDelay(Duration initialDelay) {
      this.initialDelay = initialDelay;
      return this;
    }

    /**
     * Sets the most random time added to each wait (default zero: none); at most the period.
     *
     * @param jitter the jitter, not negative
     * @return this builder
     */
    public Builder jitter(Duration jitter) {
      this.jitter = jitter;
      return this;
    }

    /**
     * Sets the generator the jitter is drawn from (default {@link ThreadLocalRandom}).
     *
     * @param random the generator
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = random;
      this.randomSet = true;
      return this;
    }

    /**
     * Sets what an iteration that throws does (default {@link OnError#LOG_AND_CONTINUE}).
     *
     * @param onError the policy
     * @return this builder
     */
    public Builder onError(OnError onError) {
      this.onError = onError;
      return this;
    }

    /**
     * Validates the settings and builds the task.
     *
     * @param iteration what to run each tick
     * @return the task, a {@link Worker} to register with a supervisor
     * @throws IllegalArgumentException if the period is not positive, the initial delay or jitter
     *     is negative, or the jitter is longer than the period
     * @throws NullPointerException if a setting or {@code iteration} is null
     */
    public PeriodicTask build(Iteration iteration) {
      Checks.notNull(iteration, "iteration");
      Checks.positive(period, "period");
      Checks.nonNegative(initialDelay, "initialDelay");
      Checks.nonNegative(jitter, "jitter");
      Checks.notNull(onError, "onError");
      if (randomSet) {
        Checks.notNull(random, "random");
      }
      Checks.require(
          jitter.compareTo(period) <= 0,
          "jitter must be at most the period ("
              + Durations.format(period)
              + "), was "
              + Durations.format(jitter));
      return new PeriodicTask(this, iteration);
    }
  }
}
