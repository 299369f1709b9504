package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.JobHandle;
import dev.bulwark.lifecycle.JobHandler;
import dev.bulwark.lifecycle.JobQueue.Config;
import dev.bulwark.lifecycle.JobQueueEvent;
import dev.bulwark.lifecycle.UnfinishedJob;
import dev.bulwark.resilience.ContextPropagator;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Listeners;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * What a {@code JobQueue} does, behind its facade: the queue and the running jobs under one lock,
 * the runner threads, and the steps of a stop (close the intake, await the runners, interrupt them,
 * hand back what did not finish), driven by the one stop protocol either by the queue's own {@code
 * stop(grace, interruptTimeout)} or, through {@link QueueRunners}, by its supervisor's component. A
 * job's state is a {@link QueuedJob}, which only this package changes; the public {@link JobHandle}
 * reads it. The refusals are made by the {@link JobRefusals} the queue passes in, with the
 * retry-after of a {@code RunTimeEstimate}; what a stop hands back is collected by a {@code
 * HandBack}, and the supervisor that owns the queue, if any, is kept by a {@code QueueOwnership}.
 *
 * @param <J> the job type
 */
public final class JobRunners<J> implements QueueRunners<J> {

  private final String name;
  private final Config config;
  private final JobHandler<? super J> handler;
  private final TimeSource time;
  private final ThreadFactory threadFactory;
  private final HandBack<J> handBack;
  private final ContextPropagator propagator;
  private final JobRefusals refusals;
  private final Listeners<JobQueueEvent> listeners;
  private final QueueOwnership ownership;
  private final AtomicLong ids = new AtomicLong();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition runnersChanged = lock.newCondition();
  // guarded by lock
  private final ArrayDeque<QueuedJob<J>> queue = new ArrayDeque<>();
  private final LinkedHashSet<QueuedJob<J>> running = new LinkedHashSet<>();
  private final List<Thread> runners = new ArrayList<>();
  private int liveRunners;
  private boolean started;
  private boolean closed;
  private boolean forced;
  private final RunTimeEstimate estimate = new RunTimeEstimate();

  /** Creates the runners, not started; a null thread factory means virtual threads. */
  public JobRunners(
      String name,
      Config config,
      JobHandler<? super J> handler,
      TimeSource time,
      ThreadFactory threadFactory,
      Consumer<? super List<UnfinishedJob<J>>> sink,
      ContextPropagator propagator,
      JobRefusals refusals) {
    this.name = name;
    this.config = config;
    this.handler = handler;
    this.time = time;
    this.threadFactory = threadFactory != null ? threadFactory : Thread.ofVirtual().factory();
    this.handBack = new HandBack<>(name, sink);
    this.propagator = propagator;
    this.refusals = refusals;
    this.listeners = new Listeners<>("job queue '" + name + "'");
    this.ownership = new QueueOwnership(name);
  }

  String name() {
    return name;
  }

  public Listeners<JobQueueEvent> listeners() {
    return listeners;
  }

  /** Queues a job, or throws the refusal {@link JobRefusals} made. */
  public QueuedJob<J> submit(J job, Policy policy) {
    ContextPropagator.Snapshot context = propagator.capture();
    RuntimeException refusal;
    QueuedJob<J> handle = null;
    lock.lock();
    try {
      if (closed) {
        refusal = refusals.closed(name());
      } else if (queue.size() >= config.capacity()) {
        refusal =
            refusals.full(
                name(), config.capacity(), estimate.retryAfter(config.concurrency(), started));
      } else {
        refusal = null;
        handle = new QueuedJob<>(this, ids.incrementAndGet(), job, policy, time, context);
        queue.addLast(handle);
        notEmpty.signal();
      }
    } finally {
      lock.unlock();
    }
    if (!listeners.isEmpty()) {
      listeners.publish(
          refusal != null
              ? new JobQueueEvent.Rejected(name(), refusal)
              : new JobQueueEvent.Submitted(name(), handle.id()));
    }
    if (refusal != null) {
      throw refusal;
    }
    return handle;
  }

  public int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  public int running() {
    lock.lock();
    try {
      return running.size();
    } finally {
      lock.unlock();
    }
  }

  /** The jobs the stop handed back, or an empty list before. */
  public List<UnfinishedJob<J>> unfinishedJobs() {
    lock.lock();
    try {
      List<UnfinishedJob<J>> list = handBack.handedBack();
      return list == null ? List.of() : list;
    } finally {
      lock.unlock();
    }
  }

  /** Throws if a supervisor owns the queue: it alone {@code does} (starts, stops) it. */
  public void checkUnowned(String does) {
    ownership.checkUnowned(does);
  }

  /** Gives the queue to a supervisor, or throws if it has an owner or was started or stopped. */
  public void attach(String supervisor) {
    lock.lock();
    try {
      ownership.attach(
          supervisor, closed ? "was stopped before" : started ? "was started before" : null);
    } finally {
      lock.unlock();
    }
  }

  /** Undoes {@link #attach} for a supervisor whose build was refused. */
  public void detach(String supervisor) {
    ownership.detach(supervisor);
  }

  @Override
  public void start() {
    List<Thread> threads = new ArrayList<>();
    lock.lock();
    try {
      if (started || closed) {
        throw new IllegalStateException(
            "Expected job queue '"
                + name()
                + "' to be NEW, but it was "
                + (closed ? "stopped" : "started"));
      }
      started = true;
      for (int i = 0; i < config.concurrency(); i++) {
        Thread t = threadFactory.newThread(this::runLoop);
        if (t == null) {
          throw new IllegalStateException(
              "threadFactory of job queue '" + name() + "' returned null");
        }
        threads.add(t);
      }
      runners.addAll(threads);
      liveRunners = threads.size();
      for (Thread t : threads) {
        t.start();
      }
    } finally {
      lock.unlock();
    }
  }

  private void runLoop() {
    try {
      while (true) {
        QueuedJob<J> h;
        lock.lock();
        try {
          while (queue.isEmpty() && !closed && !forced) {
            notEmpty.await();
          }
          if (forced || queue.isEmpty()) {
            return;
          }
          h = queue.pollFirst();
          h.runner = Thread.currentThread();
          running.add(h);
          h.moveTo(JobHandle.Status.RUNNING, null);
        } finally {
          lock.unlock();
        }
        long t0 = time.nanoTime();
        if (!listeners.isEmpty()) {
          listeners.publish(
              new JobQueueEvent.Started(name(), h.id(), Duration.ofNanos(t0 - h.submittedAt)));
        }
        Throwable failure = h.runWith(handler);
        long took = time.nanoTime() - t0;
        boolean stop;
        JobHandle.Status status;
        lock.lock();
        try {
          running.remove(h);
          stop = forced;
          if (forced && failure != null && handBack.interrupted(h)) {
            status = JobHandle.Status.CANCELLED;
          } else {
            status = failure == null ? JobHandle.Status.SUCCEEDED : JobHandle.Status.FAILED;
            estimate.add(took);
          }
          h.moveTo(status, failure);
        } finally {
          lock.unlock();
        }
        if (!stop) {
          Thread.interrupted(); // an interrupt meant for the job ends with it
        }
        if (!listeners.isEmpty()) {
          listeners.publish(
              new JobQueueEvent.Finished(name(), h.id(), status, Duration.ofNanos(took), failure));
        }
        if (stop) {
          return;
        }
      }
    } catch (InterruptedException e) {
      // interrupted while idle: only a forced stop does that
    } finally {
      lock.lock();
      try {
        liveRunners--;
        runnersChanged.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Takes no more jobs; returns true if runners are live and must be awaited. */
  @Override
  public boolean closeIntake() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      return liveRunners > 0;
    } finally {
      lock.unlock();
    }
  }

  /*
   * A job may stop its own queue (supervisor.stop() or stop(...) on a fatal condition). Its runner
   * cannot end before that call returns to it, so the stop neither waits for nor interrupts the
   * calling runner: it would only wait out the grace, interrupt itself and cut every later wait of
   * the stop short. The other runners are waited for and interrupted as usual; the calling job is
   * not handed back, and its handle shows how it ended once it returns. This mirrors what the
   * supervisor does for a worker that stops it (Component.runsOn).
   */

  /** The runners to wait for: all live ones, except the calling thread if it is one of them. */
  private int othersLiveLocked() {
    Thread self = Thread.currentThread();
    for (QueuedJob<J> h : running) {
      if (h.runner == self) {
        return liveRunners - 1;
      }
    }
    return liveRunners;
  }

  @Override
  public boolean await(TimeSource clock, long nanos) throws InterruptedException {
    lock.lock();
    try {
      while (othersLiveLocked() > 0) {
        if (nanos <= 0) {
          return false;
        }
        nanos = clock.awaitNanos(lock, runnersChanged, nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void interrupt() {
    lock.lock();
    try {
      forced = true;
      notEmpty.signalAll();
      for (Thread t : runners) {
        if (t != Thread.currentThread()) { // a job stopping its own queue is not interrupted
          t.interrupt();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Hands back the unfinished jobs once (later calls return the same list), marks the queued and
   * interrupted ones cancelled, and passes the list to the sink: see {@link HandBack}.
   */
  @Override
  public List<UnfinishedJob<J>> handBack(boolean abandoned) {
    List<UnfinishedJob<J>> list;
    lock.lock();
    try {
      closed = true;
      if (handBack.handedBack() != null) {
        return handBack.handedBack();
      }
      list = handBack.collect(queue, running, abandoned);
      queue.clear();
    } finally {
      lock.unlock();
    }
    handBack.deliver(list);
    if (!listeners.isEmpty()) {
      listeners.publish(new JobQueueEvent.Stopped(name(), List.copyOf(list)));
    }
    return list;
  }

  boolean cancel(QueuedJob<J> h) {
    lock.lock();
    try {
      if (h.status() != JobHandle.Status.QUEUED || !queue.remove(h)) {
        return false;
      }
      h.moveTo(JobHandle.Status.CANCELLED, null);
      return true;
    } finally {
      lock.unlock();
    }
  }
}
