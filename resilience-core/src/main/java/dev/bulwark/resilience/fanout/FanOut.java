package dev.bulwark.resilience.fanout;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Listeners;
import dev.bulwark.resilience.timeout.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Runs many calls concurrently, at most N at a time, under one deadline, and returns how each one
 * ended, in the order given.
 *
 * <pre>{@code
 * FanOut fanOut = FanOut.builder("quotes").maxConcurrency(8).timeout(Duration.ofSeconds(2)).build();
 * List<Outcome<Quote>> outcomes = fanOut.map(symbols, upstream::fetchQuote);
 * List<Quote> quotes = Outcome.successes(outcomes); // keep what finished, in order
 * }</pre>
 *
 * <p>These are the "wait for several tasks with a timeout, keep the finished, cancel the rest" and
 * "limit a batch to N concurrent calls" patterns in one blocking call. Each call runs on a thread
 * of its own (virtual unless a {@link Builder#threadFactory(ThreadFactory) factory} is given), with
 * the batch's deadline as its {@link Deadline#current()}: the earlier of the fan-out's timeout and
 * the caller's own current deadline. Calls start in list order as earlier ones finish.
 *
 * <p>When the deadline passes, the outcomes are fixed: a call that has not finished is {@link
 * Outcome.NotFinished} (and a call that had not started never starts), whatever it does later. The
 * running ones are interrupted, and the fan-out waits for them to end, for at most the {@linkplain
 * Builder#cancelGrace(Duration) cancel grace}, so that normally no thread outlives the call; a call
 * that ignores interruption for longer is left to end on its own (the {@link FanOutEvent.Completed}
 * event counts it). If the calling thread is interrupted while it waits, the fan-out does the same
 * at once, then returns the outcomes with the caller's interrupt status restored.
 *
 * <p>A call's failure is its outcome and is never thrown; nor is anything else, except a {@link
 * NullPointerException} for a null list or element.
 */
public final class FanOut implements EventSource<FanOutEvent> {

  /**
   * A task applied to each input by {@link #map(List, Task)}.
   *
   * @param <I> the input type
   * @param <T> the result type
   */
  @FunctionalInterface
  public interface Task<I, T> {
    /**
     * Runs the task for one input.
     *
     * @param input the input
     * @return the result
     * @throws Exception if the task fails; that becomes the input's {@link Outcome.Failure}
     */
    T apply(I input) throws Exception;
  }

  /**
   * The configuration of a fan-out, as built.
   *
   * @param maxConcurrency the most calls of one batch that run at a time
   * @param timeout the time a batch is given
   * @param cancelGrace how long to wait for interrupted calls to end
   */
  public record Config(int maxConcurrency, Duration timeout, Duration cancelGrace) {}

  private final String name;
  private final Config config;
  private final TimeSource time;
  private final ThreadFactory threadFactory;
  private final ContextPropagator contextPropagator;
  private final long graceNanos;
  private final Listeners<FanOutEvent> listeners;

  private FanOut(Builder b) {
    this.name = b.name;
    this.config = new Config(b.maxConcurrency, b.timeout, b.cancelGrace);
    this.time = b.timeSource;
    this.threadFactory =
        b.threadFactory != null
            ? b.threadFactory
            : Thread.ofVirtual().name("bulwark-fanout-" + b.name + "-", 0).factory();
    this.contextPropagator = b.contextPropagator;
    this.graceNanos = Durations.saturatedNanos(b.cancelGrace);
    this.listeners = new Listeners<>("fan-out '" + b.name + "'");
  }

  /**
   * Starts a fan-out builder. The timeout must be set.
   *
   * @param name the fan-out's name, carried by its events and thread names
   * @return a builder; {@link Builder#build()} validates every setting, the name included
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Returns the name this fan-out was built with.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns this fan-out's configuration.
   *
   * @return the configuration as built
   */
  public Config config() {
    return config;
  }

  @Override
  public Subscription subscribe(Consumer<? super FanOutEvent> listener) {
    return listeners.subscribe(listener);
  }

  /**
   * Applies {@code task} to every input concurrently and returns the outcomes in input order.
   *
   * @param inputs the inputs
   * @param task the task to apply to each
   * @param <I> the input type
   * @param <T> the result type
   * @return one outcome per input, in order
   * @throws NullPointerException if {@code inputs} or {@code task} is null
   */
  public <I, T> List<Outcome<T>> map(List<? extends I> inputs, Task<? super I, ? extends T> task) {
    Checks.notNull(inputs, "inputs");
    Checks.notNull(task, "task");
    List<Call<T, Exception>> calls = new ArrayList<>(inputs.size());
    for (I input : inputs) {
      calls.add(() -> task.apply(input));
    }
    return call(calls);
  }

  /**
   * Runs every call concurrently and returns the outcomes in the order of the list.
   *
   * @param calls the calls
   * @param <T> the type of the calls' results
   * @return one outcome per call, in order
   * @throws NullPointerException if {@code calls} or any of them is null
   */
  public <T> List<Outcome<T>> call(List<? extends Call<? extends T, ?>> calls) {
    Checks.notNull(calls, "calls");
    List<Call<? extends T, ?>> copy = new ArrayList<>(calls.size());
    for (int i = 0; i < calls.size(); i++) {
      copy.add(Checks.notNull(calls.get(i), "calls[" + i + "]"));
    }
    if (copy.isEmpty()) {
      return List.of();
    }
    return new Batch<T>(copy).run();
  }

  /**
   * One batch of calls.
   *
   * <p>The caller's thread starts calls while fewer than {@code maxConcurrency} run, then waits on
   * one condition, through the time source, until a call finishes or the deadline passes. Each
   * call's thread records its outcome and signals; after the deadline ({@code closed}) outcomes are
   * no longer recorded, so the list returned is exactly what had finished in time.
   */
  private final class Batch<T> {
    private final List<Call<? extends T, ?>> calls;
    private final int size;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Outcome<T>[] outcomes;
    private final Thread[] threads;
    private final Deadline deadline;
    private final ContextPropagator.Snapshot context = contextPropagator.capture();
    private final long start;
    private int running; // guarded by lock
    private int finished; // guarded by lock
    private boolean closed; // guarded by lock

    @SuppressWarnings("unchecked")
    Batch(List<Call<? extends T, ?>> calls) {
      this.calls = calls;
      this.size = calls.size();
      this.outcomes = (Outcome<T>[]) new Outcome<?>[size];
      this.threads = new Thread[size];
      this.start = time.nanoTime();
      this.deadline = Deadline.within(time, config.timeout);
    }

    List<Outcome<T>> run() {
      boolean interrupted = false;
      int unfinished = 0;
      int stillRunning;
      lock.lock();
      try {
        try {
          int next = 0;
          while (true) {
            // The deadline is checked before any call starts: a call that finishes after the
            // deadline (or an inherited deadline that has already passed) must not let a call
            // that has not started begin, since its outcome is fixed as NotFinished anyway.
            long remaining = deadline.nanoTime() - time.nanoTime();
            if (remaining <= 0) {
              break;
            }
            while (running < config.maxConcurrency && next < size) {
              startCall(next++);
            }
            if (finished == size) {
              break;
            }
            time.awaitNanos(lock, changed, remaining);
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
        if (finished < size) {
          closed = true;
          unfinished = size - finished;
          for (int i = 0; i < size; i++) {
            if (outcomes[i] == null && threads[i] != null) {
              threads[i].interrupt();
            }
          }
          if (!interrupted) {
            interrupted = awaitRunningCalls();
          }
        }
        stillRunning = running;
      } finally {
        lock.unlock();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      List<Outcome<T>> result = new ArrayList<>(size);
      int succeeded = 0;
      int failed = 0;
      for (int i = 0; i < size; i++) {
        Outcome<T> outcome = outcomes[i];
        if (outcome == null) {
          outcome = new Outcome.NotFinished<>(threads[i] != null);
        } else if (outcome instanceof Outcome.Success<T>) {
          succeeded++;
        } else {
          failed++;
        }
        result.add(outcome);
      }
      if (!listeners.isEmpty()) {
        if (unfinished > 0) {
          listeners.publish(new FanOutEvent.DeadlineReached(name, unfinished));
        }
        listeners.publish(
            new FanOutEvent.Completed(
                name,
                succeeded,
                failed,
                size - succeeded - failed,
                stillRunning,
                Duration.ofNanos(time.nanoTime() - start)));
      }
      return Collections.unmodifiableList(result);
    }

    /** Waits, for at most the grace, until no call runs; returns true if interrupted meanwhile. */
    private boolean awaitRunningCalls() {
      long graceEnd = time.nanoTime() + graceNanos;
      try {
        while (running > 0) {
          long remaining = graceEnd - time.nanoTime();
          if (remaining <= 0) {
            return false;
          }
          time.awaitNanos(lock, changed, remaining);
        }
        return false;
      } catch (InterruptedException e) {
        return true;
      }
    }

    private void startCall(int index) {
      Call<? extends T, ?> call = calls.get(index);
      Thread thread;
      try {
        thread = threadFactory.newThread(() -> runCall(index, call));
        Checks.notNull(thread, "threadFactory returned null");
        running++;
        threads[index] = thread;
        thread.start();
      } catch (RuntimeException | Error e) {
        if (threads[index] != null) {
          threads[index] = null;
          running--;
        }
        outcomes[index] = new Outcome.Failure<>(e);
        finished++;
      }
    }

    private void runCall(int index, Call<? extends T, ?> call) {
      Outcome<T> outcome;
      ContextPropagator.Scope scope = null;
      try {
        scope = context.restore();
        outcome = new Outcome.Success<>(deadline.callAsCurrent(call));
      } catch (Throwable t) {
        outcome = new Outcome.Failure<>(t);
      } finally {
        if (scope != null) {
          scope.close();
        }
      }
      lock.lock();
      try {
        if (!closed) {
          outcomes[index] = outcome;
          finished++;
        }
        running--;
        changed.signal();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public String toString() {
      return "FanOut.Batch[" + name + ", " + Arrays.toString(outcomes) + "]";
    }
  }

  @Override
  public String toString() {
    return "FanOut["
        + name
        + ", maxConcurrency="
        + config.maxConcurrency
        + ", timeout="
        + Durations.format(config.timeout)
        + "]";
  }

  /** Builds a {@link FanOut}; {@link #build()} validates every setting. */
  public static final class Builder {
    private final String name;
    private int maxConcurrency = 16;
    private Duration timeout;
    private boolean timeoutSet;
    private Duration cancelGrace = Duration.ofSeconds(1);
    private ContextPropagator contextPropagator = ContextPropagator.none();
    private TimeSource timeSource = TimeSource.system();
    private ThreadFactory threadFactory;
    private boolean threadFactorySet;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets the most calls of one batch that run at a time (default 16).
     *
     * @param maxConcurrency at least 1
     * @return this builder
     */
    public Builder maxConcurrency(int maxConcurrency) {
      this.maxConcurrency = maxConcurrency;
      return this;
    }

    /**
     * Sets the time a batch is given, from the moment it starts (required).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      this.timeoutSet = true;
      return this;
    }

    /**
     * Sets how long, after the deadline, to wait for interrupted calls to end before returning
     * (default 1 s). Zero returns at once.
     *
     * @param cancelGrace zero or more
     * @return this builder
     */
    public Builder cancelGrace(Duration cancelGrace) {
      this.cancelGrace = cancelGrace;
      return this;
    }

    /**
     * Sets the time source for the deadline and every wait (default {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Sets the factory of the threads that run the calls (default: virtual threads named {@code
     * bulwark-fanout-<name>-<n>}).
     *
     * @param threadFactory the factory; each thread it makes runs one call
     * @return this builder
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = threadFactory;
      this.threadFactorySet = true;
      return this;
    }

    /**
     * Sets what carries the caller's thread context (a logging MDC, a trace span, a {@link
     * ThreadLocal}) to the threads that run the calls (default {@link ContextPropagator#none()}):
     * captured once per batch on the thread that calls {@code all} or {@code map}, restored around
     * each call on its own thread.
     *
     * @param contextPropagator the propagator
     * @return this builder
     */
    public Builder contextPropagator(ContextPropagator contextPropagator) {
      this.contextPropagator = contextPropagator;
      return this;
    }

    /**
     * Validates the settings and builds the fan-out.
     *
     * @return the fan-out
     * @throws IllegalArgumentException if the name is blank, {@code maxConcurrency} is less than 1,
     *     {@code timeout} is not positive or {@code cancelGrace} is negative
     * @throws IllegalStateException if {@code timeout} was not set ({@code timeout is required: set
     *     it with .timeout(Duration)})
     * @throws NullPointerException if the name, {@code timeout}, {@code cancelGrace}, {@code
     *     timeSource}, {@code contextPropagator} or {@code threadFactory} is null
     */
    public FanOut build() {
      Checks.name(name);
      Checks.required(timeoutSet, "timeout", ".timeout(Duration)");
      Checks.atLeast(maxConcurrency, 1, "maxConcurrency");
      Checks.positive(timeout, "timeout");
      Checks.nonNegative(cancelGrace, "cancelGrace");
      Checks.notNull(timeSource, "timeSource");
      Checks.notNull(contextPropagator, "contextPropagator");
      if (threadFactorySet) {
        Checks.notNull(threadFactory, "threadFactory");
      }
      return new FanOut(this);
    }
  }
}
