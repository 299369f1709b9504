package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.ComponentHealth;
import dev.bulwark.lifecycle.ComponentState;
import dev.bulwark.lifecycle.ShutdownReport;
import dev.bulwark.lifecycle.Supervisor.ComponentConfig;
import dev.bulwark.lifecycle.Worker;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/*
 * A worker on its own thread, with its restart loop.
 *
 * The thread runs the worker; when the run ends the thread decides, under the component's lock,
 * what comes next: a run that was asked to stop ends the thread (STOPPED, or RESTARTING when an
 * all-for-one restart paused it); a run that returned on its own ends it too (STOPPED); a failure
 * ends it as FAILED unless the restart policy allows another restart. Whether it does is
 * Restarts' pure decision (RestartIntensity) over the times of the earlier restarts; a failure
 * that would need more than maxRestarts of them within the window escalates to the supervisor. Otherwise the same thread waits
 * out the next backoff delay on the component's condition, so that a stop ends the wait at once
 * and a ManualTimeSource can advance through it, and then starts a fresh run with a fresh context.
 * The backoff sequence starts again whenever the window holds no earlier restart.
 */
public final class WorkerComponent extends Component {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.lifecycle");

  private final Worker worker;

  // guarded by lock
  private Thread thread;
  private boolean threadAlive;
  private boolean retired;
  private boolean paused;
  private boolean runActive; // a run of the worker is in progress (not between runs)
  private boolean endedBeforeStop; // the last run had ended on its own when the stop came
  private RunContext run;
  private final Restarts restartPlan; // null unless the policy restarts on failure

  /** The all-for-one strategy's view of the other workers, or null under one-for-one. */
  private final ComponentHost.Siblings siblings;

  /**
   * Creates a worker component; {@code restartPlan} is null if it never restarts, {@code siblings}
   * null under one-for-one.
   */
  public WorkerComponent(
      String name,
      ComponentConfig config,
      ComponentHost host,
      Worker worker,
      Restarts restartPlan,
      ComponentHost.Siblings siblings) {
    super(name, config, host);
    this.worker = worker;
    this.restartPlan = restartPlan;
    this.siblings = siblings;
  }

  @Override
  ComponentHealth health(long now) {
    ComponentHealth h = super.health(now);
    if (h.state() != ComponentState.RUNNING) {
      return h;
    }
    Duration age = Duration.ofNanos(Math.max(0, now - lastHeartbeat));
    boolean stalled =
        config.stallLimit().isPresent() && age.compareTo(config.stallLimit().get()) > 0 && !idle();
    return new ComponentHealth(
        h.name(),
        h.state(),
        h.healthy() && !stalled,
        Optional.of(age),
        h.restarts(),
        h.lastFailure());
  }

  @Override
  void start(long timeoutNanos) {
    if (!launch()) {
      throw new CancellationException("the supervisor was stopped while it started");
    }
  }

  /**
   * Starts a new run on a new thread, unless retired or already running. If the thread cannot be
   * made or started (a user's thread factory throws, returns null or a thread that refuses to
   * start), nothing is left half-set: the failure propagates (a start fails with it).
   */
  boolean launch() {
    ComponentState from;
    lock.lock();
    try {
      if (retired) {
        return false;
      }
      if (threadAlive) {
        return true;
      }
      Thread t = host.newThread(this::loop, name);
      t.start(); // the loop blocks on this lock until the fields below are set
      paused = false;
      run = new RunContext(this);
      runActive = true;
      thread = t;
      threadAlive = true;
      lastHeartbeat = time.nanoTime();
      from = setStateLocked(ComponentState.RUNNING);
    } finally {
      lock.unlock();
    }
    published(from, ComponentState.RUNNING, null);
    return true;
  }

  /*
   * A restart that cannot get a thread (the supervisor's thread factory throws or returns null
   * when an all-for-one restart resumes this worker) must not take the restarting sibling's thread
   * down with it, nor leave this worker RESTARTING for ever: the worker is FAILED with the
   * factory's failure as its cause, the supervisor logs why and keeps running the other
   * components, as it does for a worker that failed with no restart left.
   */
  private void relaunch() {
    try {
      launch();
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
      ComponentState from;
      lock.lock();
      try {
        lastFailure = e;
        paused = false; // a later all-for-one restart leaves it FAILED too
        from = setStateLocked(ComponentState.FAILED);
      } finally {
        lock.unlock();
      }
      LOG.log(
          Level.WARNING,
          () ->
              "worker '"
                  + name
                  + "' of supervisor '"
                  + host.name()
                  + "' could not be restarted: no thread for it; it is FAILED",
          e);
      published(from, ComponentState.FAILED, e);
    }
  }

  private void loop() {
    Throwable escalation = null;
    while (true) {
      RunContext ctx;
      lock.lock();
      try {
        ctx = run;
      } finally {
        lock.unlock();
      }
      Throwable failure = null;
      try {
        worker.run(ctx);
      } catch (Throwable t) {
        failure = t;
      }
      Throwable cause =
          failure instanceof IterationFailedException f && f.getCause() != null
              ? f.getCause()
              : failure;
      ComponentState from;
      ComponentState to;
      long delay = 0;
      int restart = 0;
      boolean exit = true;
      lock.lock();
      try {
        runActive = false;
        if (cause != null && !ctx.stopping) {
          lastFailure = cause;
        }
        if (ctx.stopping) {
          to = retired ? ComponentState.STOPPED : ComponentState.RESTARTING;
        } else if (failure == null) {
          to = ComponentState.STOPPED;
        } else if (failure instanceof IterationFailedException || restartPlan == null) {
          to = ComponentState.FAILED;
        } else if ((delay = restartPlan.next(time.nanoTime())) < 0) {
          to = ComponentState.FAILED;
          escalation = cause;
        } else {
          restart = ++restarts;
          to = ComponentState.RESTARTING;
          exit = false;
        }
        from = setStateLocked(to);
      } finally {
        lock.unlock();
      }
      published(from, to, failure == null ? null : cause);
      if (exit) {
        break;
      }
      // The run is over: an interrupt it left set (its own "restore the interrupt, then throw")
      // must not cut the backoff or an all-for-one pause of the siblings short. A stop or a pause
      // sets its flag before it interrupts, so the waits below still see it.
      Thread.interrupted();
      host.restartScheduled(name, restart, delay, cause);
      if (siblings != null && !siblings.pause(this)) {
        lock.lock();
        try {
          from = setStateLocked(ComponentState.FAILED);
        } finally {
          lock.unlock();
        }
        published(from, ComponentState.FAILED, cause);
        escalation = cause;
        break;
      }
      boolean proceed;
      lock.lock();
      try {
        long remaining = delay;
        try {
          awaitLocked(() -> retired || paused, remaining);
        } catch (InterruptedException e) {
          // only a stop (or an all-for-one pause) interrupts this thread, and it sets its flag
          // first
        }
        if (retired) {
          to = ComponentState.STOPPED;
          proceed = false;
        } else if (paused) {
          to = ComponentState.RESTARTING; // a sibling's all-for-one restart will start it again
          proceed = false;
        } else {
          run = new RunContext(this);
          runActive = true;
          lastHeartbeat = time.nanoTime();
          to = ComponentState.RUNNING;
          proceed = true;
        }
        from = setStateLocked(to);
      } finally {
        lock.unlock();
      }
      published(from, to, null);
      if (!proceed) {
        break;
      }
      if (siblings != null) {
        siblings.resume(this);
      }
    }
    // The thread ends after its last event, so that the supervisor, which waits for this, publishes
    // its own events after the component's.
    lock.lock();
    try {
      threadAlive = false;
      thread = null;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (escalation != null) {
      host.escalate(name, escalation);
    }
  }

  /**
   * Asks a running worker to stop for an all-for-one restart. A worker between runs (it failed too,
   * and waits out its own backoff) is left alone: it restarts on its own. Pausing it would let two
   * workers failing together pause each other, and then neither would restart them.
   *
   * @return true if it was running and now stops
   */
  boolean pause() {
    lock.lock();
    try {
      if (retired || !threadAlive || run == null || !runActive) {
        return false;
      }
      paused = true;
      run.stopping = true;
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  ShutdownReport.Outcome outcome(ShutdownReport.Outcome awaited) {
    lock.lock();
    try {
      return endedBeforeStop && awaited != ShutdownReport.Outcome.ABANDONED
          ? ShutdownReport.Outcome.NOT_RUNNING
          : awaited;
    } finally {
      lock.unlock();
    }
  }

  /** Restarts a worker paused by {@link #pause()}; counts as a restart. */
  void resume() {
    lock.lock();
    try {
      if (!paused || retired) {
        return;
      }
      restarts++;
    } finally {
      lock.unlock();
    }
    relaunch();
  }

  @Override
  boolean retire() {
    ComponentState from;
    lock.lock();
    try {
      retired = true;
      changed.signalAll();
      if (!threadAlive) {
        return false;
      }
      if (run != null) {
        run.stopping = true;
      }
      from = state();
      if (from == ComponentState.RUNNING || from == ComponentState.RESTARTING) {
        setStateLocked(ComponentState.STOPPING);
      } else {
        // The run ended on its own (FAILED or STOPPED) before the stop came, and its thread is
        // just finishing after its last event: the stop waits for it, so that events keep their
        // order, but reports what it found: the worker was not running.
        endedBeforeStop = true;
        return true;
      }
    } finally {
      lock.unlock();
    }
    published(from, ComponentState.STOPPING, null);
    return true;
  }

  @Override
  public boolean awaitTerminated(long nanos) throws InterruptedException {
    lock.lock();
    try {
      return awaitLocked(() -> !threadAlive, nanos);
    } finally {
      lock.unlock();
    }
  }

  /** Records a failed iteration that the worker (a periodic task) survives, and publishes it. */
  void iterationFailed(Throwable failure) {
    lastFailure = failure;
    host.iterationFailed(name, failure);
  }

  /** Returns true while the current run waits idle by its schedule, which is not a stall. */
  boolean idle() {
    lock.lock();
    try {
      return run != null && run.idle;
    } finally {
      lock.unlock();
    }
  }

  @Override
  boolean runsOn(Thread t) {
    lock.lock();
    try {
      return thread == t;
    } finally {
      lock.unlock();
    }
  }

  @Override
  void interruptThreads() {
    lock.lock();
    try {
      if (thread != null) {
        thread.interrupt();
      }
    } finally {
      lock.unlock();
    }
  }
}
