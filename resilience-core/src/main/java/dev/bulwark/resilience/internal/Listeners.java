package dev.bulwark.resilience.internal;

import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.Subscription;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The listeners of one publisher. Subscribing and unsubscribing copy a small array; publishing
 * reads it once and calls each listener, logging any that throws. Publishers check {@link
 * #isEmpty()} before they build an event, so a policy with no listeners allocates nothing.
 *
 * <p>Internal to Bulwark's modules; not an API for applications.
 *
 * @param <E> the event type
 */
public final class Listeners<E> implements EventSource<E> {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.events");

  /** A registration; its identity is what {@link Subscription#close()} removes. */
  private static final class Entry<E> {
    final Consumer<? super E> listener;

    Entry(Consumer<? super E> listener) {
      this.listener = listener;
    }
  }

  private static final Entry<?>[] NONE = new Entry<?>[0];

  private final String owner;
  private final AtomicReference<Entry<?>[]> entries = new AtomicReference<>(NONE);

  /**
   * Creates an empty set of listeners.
   *
   * @param owner the publisher's description for log messages, e.g. {@code "retry 'quotes'"}
   */
  public Listeners(String owner) {
    this.owner = Checks.notNull(owner, "owner");
  }

  @Override
  public Subscription subscribe(Consumer<? super E> listener) {
    Entry<E> entry = new Entry<>(Checks.notNull(listener, "listener"));
    entries.updateAndGet(
        current -> {
          Entry<?>[] next = Arrays.copyOf(current, current.length + 1);
          next[current.length] = entry;
          return next;
        });
    return () -> remove(entry);
  }

  private void remove(Entry<E> entry) {
    entries.updateAndGet(
        current -> {
          for (int i = 0; i < current.length; i++) {
            if (current[i] == entry) {
              if (current.length == 1) {
                return NONE;
              }
              Entry<?>[] next = new Entry<?>[current.length - 1];
              System.arraycopy(current, 0, next, 0, i);
              System.arraycopy(current, i + 1, next, i, current.length - i - 1);
              return next;
            }
          }
          return current;
        });
  }

  /** Returns true if nobody listens, so the publisher can skip building the event. */
  public boolean isEmpty() {
    return entries.get() == NONE; // the only empty array it ever holds: one load fewer
  }

  /**
   * Calls every listener with {@code event}. A listener that throws is logged at WARNING and the
   * others still run. Call it with no lock held.
   */
  @SuppressWarnings("unchecked")
  public void publish(E event) {
    for (Entry<?> e : entries.get()) {
      try {
        ((Entry<E>) e).listener.accept(event);
      } catch (RuntimeException | Error failure) {
        if (failure instanceof VirtualMachineError vme) {
          throw vme;
        }
        LOG.log(Level.WARNING, () -> "listener of " + owner + " threw on " + event, failure);
      }
    }
  }

  @Override
  public String toString() {
    return "Listeners[" + owner + ", " + entries.get().length + "]";
  }
}
