package dev.bulwark.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The meters of one or more Bulwark components, as a Micrometer {@link MeterBinder}. {@link
 * #bindTo(MeterRegistry)} registers them (and the few listeners that count rare events); {@link
 * #close()} removes every meter from the registry and every listener from its component again.
 * Create one with {@link BulwarkMetrics}.
 *
 * <p>A binding binds to one registry at a time; close it before binding it to another. To publish
 * to several registries, bind a {@code CompositeMeterRegistry}.
 */
public final class MeterBinding implements MeterBinder, AutoCloseable {

  private final List<Consumer<Registrar>> binders;
  private final ReentrantLock lock = new ReentrantLock();
  private Registrar bound; // guarded by lock

  MeterBinding(List<Consumer<Registrar>> binders) {
    this.binders = List.copyOf(binders);
  }

  /**
   * Registers this binding's meters in {@code registry} and starts the components' call counts.
   *
   * @param registry the registry
   * @throws IllegalStateException if this binding is bound already and not closed
   * @throws NullPointerException if {@code registry} is null
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    lock.lock();
    try {
      if (bound != null) {
        throw new IllegalStateException(
            "this binding is bound to a registry already; close() it before binding it again");
      }
      Registrar registrar = new Registrar(registry);
      try {
        binders.forEach(b -> b.accept(registrar));
      } catch (RuntimeException | Error e) {
        registrar.close(); // leave nothing half-bound
        throw e;
      }
      bound = registrar;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes every meter this binding registered and every listener it added. The components keep
   * counting (their counts only grow), so binding them again continues the totals. Closing twice,
   * or closing a binding never bound, is harmless.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (bound != null) {
        bound.close();
        bound = null;
      }
    } finally {
      lock.unlock();
    }
  }
}
