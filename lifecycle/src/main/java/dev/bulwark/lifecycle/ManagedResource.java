package dev.bulwark.lifecycle;

/**
 * Something that is started and stopped but is not a loop: a connection pool, an HTTP server, a
 * client. The resource is created (connections opened, ports bound) in {@link #start()}, never in a
 * constructor, so that a {@link Supervisor} controls when it exists.
 *
 * <pre>{@code
 * ManagedResource server = new ManagedResource() {
 *   public void start() throws IOException { http = HttpServer.create(address, 0); http.start(); }
 *   public void stop() { http.stop(0); }
 * };
 * }</pre>
 *
 * <p>The supervisor calls each method on a thread of its own, bounded by the component's start
 * timeout or grace period; after that it interrupts the thread. A {@code start()} that the
 * supervisor gave up on but that later succeeds is followed by {@code stop()} at once.
 */
public interface ManagedResource {

  /**
   * Creates and starts the resource.
   *
   * @throws Exception if it cannot start; the supervisor's {@code start()} then fails with a {@link
   *     StartupException} naming this component
   */
  void start() throws Exception;

  /**
   * Stops the resource and releases what it holds. Called once, only after a successful {@link
   * #start()}.
   *
   * @throws Exception if stopping fails; the shutdown report records it and goes on
   */
  void stop() throws Exception;
}
