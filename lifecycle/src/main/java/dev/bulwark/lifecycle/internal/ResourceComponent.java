package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.ComponentState;
import dev.bulwark.lifecycle.ManagedResource;
import dev.bulwark.lifecycle.ShutdownReport;
import dev.bulwark.lifecycle.Supervisor.ComponentConfig;
import dev.bulwark.resilience.internal.Durations;
import dev.bulwark.resilience.internal.Exceptions;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/*
 * A managed resource. Its start() and stop() each run on a thread of their own, so that the
 * supervisor can bound them by a timeout on its time source and interrupt them. A start that the
 * supervisor gave up on (timeout, or a stop arriving) but that still succeeds later is followed at
 * once by stop() on the same thread, so that no resource is left running unowned.
 */
public final class ResourceComponent extends Component {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.lifecycle");

  private final ManagedResource resource;

  // guarded by lock
  private boolean cancelled;
  private boolean startDone;
  private boolean startGivenUp;
  private boolean started;
  private Throwable startFailure;
  private Thread starter;
  private boolean starterDone; // the start thread has ended, clean-up stop included
  private boolean awaitStarter; // a stop waits for a start given up on, still running
  private Thread stopper;
  private boolean stopDone;

  /**
   * Creates the component of a managed resource.
   *
   * @param name its name
   * @param config its settings
   * @param host the supervisor as the component sees it
   * @param resource the resource
   */
  public ResourceComponent(
      String name, ComponentConfig config, ComponentHost host, ManagedResource resource) {
    super(name, config, host);
    this.resource = resource;
  }

  @Override
  void start(long timeoutNanos) throws Exception {
    Thread t = host.newThread(this::runStart, name + "-start");
    ComponentState from;
    lock.lock();
    try {
      if (cancelled) {
        throw new CancellationException("the supervisor was stopped while it started");
      }
      starter = t;
      from = setStateLocked(ComponentState.STARTING);
    } finally {
      lock.unlock();
    }
    published(from, ComponentState.STARTING, null);
    t.start();
    Throwable failure = null;
    ComponentState to;
    lock.lock();
    try {
      try {
        awaitLocked(() -> startDone || cancelled, timeoutNanos);
      } catch (InterruptedException e) {
        failure = e;
      }
      if (failure == null && startDone && startFailure == null) {
        started = true;
        to = ComponentState.RUNNING;
      } else {
        if (failure == null) {
          failure =
              startDone
                  ? startFailure
                  : cancelled
                      ? new CancellationException("the supervisor was stopped while it started")
                      : new TimeoutException(
                          "did not start within "
                              + Durations.format(Duration.ofNanos(timeoutNanos)));
        }
        if (!startDone) {
          startGivenUp = true;
          starter.interrupt();
        }
        lastFailure = failure;
        to = ComponentState.FAILED;
      }
      from = setStateLocked(to);
    } finally {
      lock.unlock();
    }
    published(from, to, failure);
    if (failure != null) {
      throw Exceptions.rethrow(failure);
    }
  }

  private void runStart() {
    Throwable failure = null;
    try {
      resource.start();
    } catch (Throwable t) {
      failure = t;
    }
    boolean cleanUp;
    lock.lock();
    try {
      startDone = true;
      startFailure = failure;
      cleanUp = startGivenUp && failure == null;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (cleanUp) {
      try {
        resource.stop();
      } catch (Throwable t) {
        LOG.log(Level.WARNING, () -> "stopping '" + name + "' after an abandoned start failed", t);
      }
    }
    lock.lock();
    try {
      starterDone = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  void cancelStart() {
    lock.lock();
    try {
      cancelled = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  boolean retire() {
    ComponentState from;
    Thread t;
    lock.lock();
    try {
      cancelled = true;
      changed.signalAll();
      if (startGivenUp && !starterDone) {
        // A start given up on that is still running (it ignored the interrupt) is still this
        // component's thread: the stop waits for it like for a stop, so that the report does not
        // call it NOT_RUNNING while it runs. It ends by itself, or by a clean-up stop().
        awaitStarter = true;
        return true;
      }
      if (!started || stopper != null) {
        return false;
      }
      t = host.newThread(this::runStop, name + "-stop");
      stopper = t;
      from = setStateLocked(ComponentState.STOPPING);
    } finally {
      lock.unlock();
    }
    published(from, ComponentState.STOPPING, null);
    t.start();
    return true;
  }

  private void runStop() {
    Throwable failure = null;
    try {
      resource.stop();
    } catch (Throwable t) {
      failure = t;
    }
    ComponentState from;
    ComponentState to = failure == null ? ComponentState.STOPPED : ComponentState.FAILED;
    lock.lock();
    try {
      if (failure != null) {
        stopFailure = failure;
        lastFailure = failure;
      }
      from = setStateLocked(to);
    } finally {
      lock.unlock();
    }
    published(from, to, failure);
    // only now may the supervisor go on, so that this component's event precedes its own
    lock.lock();
    try {
      stopDone = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean awaitTerminated(long nanos) throws InterruptedException {
    lock.lock();
    try {
      return awaitLocked(() -> awaitStarter ? starterDone : stopper == null || stopDone, nanos);
    } finally {
      lock.unlock();
    }
  }

  /** A start given up on that then ended within the stop's time never ran: it is not running. */
  @Override
  ShutdownReport.Outcome outcome(ShutdownReport.Outcome awaited) {
    lock.lock();
    try {
      return awaitStarter && awaited != ShutdownReport.Outcome.ABANDONED
          ? ShutdownReport.Outcome.NOT_RUNNING
          : awaited;
    } finally {
      lock.unlock();
    }
  }

  @Override
  void interruptThreads() {
    lock.lock();
    try {
      if (stopper != null && !stopDone) {
        stopper.interrupt();
      }
      if (awaitStarter && !starterDone) {
        starter.interrupt();
      }
    } finally {
      lock.unlock();
    }
  }
}
