package dev.bulwark.lifecycle.internal;

import dev.bulwark.lifecycle.ComponentState;
import dev.bulwark.lifecycle.SupervisorEvent;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Listeners;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiPredicate;

/**
 * The supervisor as its components see it: its name and time source, its thread factory, its
 * listeners, and escalation. Nothing else of the supervisor reaches a component.
 */
final class Host implements ComponentHost {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.lifecycle");

  private final String name;
  private final TimeSource time;
  private final ThreadFactory threadFactory;
  private final boolean namedThreads;
  private final Listeners<SupervisorEvent> listeners;
  private final BiPredicate<String, Throwable> escalation;
  private final Runnable stop;

  Host(
      String name,
      TimeSource time,
      ThreadFactory threadFactory,
      Listeners<SupervisorEvent> listeners,
      BiPredicate<String, Throwable> escalation,
      Runnable stop) {
    this.name = name;
    this.time = time;
    this.threadFactory = threadFactory != null ? threadFactory : Thread.ofVirtual().factory();
    this.namedThreads = threadFactory == null;
    this.listeners = listeners;
    this.escalation = escalation;
    this.stop = stop;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public TimeSource timeSource() {
    return time;
  }

  @Override
  public Thread newThread(Runnable task, String threadName) {
    Thread t = threadFactory.newThread(task);
    if (t == null) {
      throw new IllegalStateException(
          "threadFactory of supervisor '" + name + "' returned null for '" + threadName + "'");
    }
    if (namedThreads) {
      t.setName(name + "/" + threadName);
    }
    return t;
  }

  @Override
  public void changed(String component, ComponentState from, ComponentState to, Throwable failure) {
    if (!listeners.isEmpty()) {
      listeners.publish(
          new SupervisorEvent.ComponentStateChanged(name, component, from, to, failure));
    }
  }

  @Override
  public void restartScheduled(String component, int restart, long delayNanos, Throwable cause) {
    if (!listeners.isEmpty()) {
      listeners.publish(
          new SupervisorEvent.RestartScheduled(
              name, component, restart, Duration.ofNanos(delayNanos), cause));
    }
  }

  @Override
  public void iterationFailed(String component, Throwable failure) {
    if (!listeners.isEmpty()) {
      listeners.publish(new SupervisorEvent.IterationFailed(name, component, failure));
    }
  }

  /** The supervisor fails (unless a stop came first) and stops everything on a new thread. */
  @Override
  public void escalate(String component, Throwable cause) {
    if (!escalation.test(component, cause)) {
      return;
    }
    if (!listeners.isEmpty()) {
      listeners.publish(new SupervisorEvent.Escalated(name, component, cause));
    }
    try {
      newThread(stop, "escalation").start();
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError vme) {
        throw vme;
      }
      // The thread factory failed (threw, returned null, or made a thread that would not start).
      // The escalated worker's thread has finished its own work, so it performs the stop itself,
      // rather than leave the supervisor RUNNING with an escalation nobody acts on.
      LOG.log(
          System.Logger.Level.WARNING,
          () ->
              "supervisor '"
                  + name
                  + "' could not start a thread for the stop that the failure of '"
                  + component
                  + "' escalated to; the failed worker's thread stops it",
          e);
      stop.run();
    }
  }
}
