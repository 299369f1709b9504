package dev.bulwark.samples;

import dev.bulwark.lifecycle.ShutdownReport;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the quotes service: {@code samples/run [--port 8080] [--failure-rate 0.1] ...}, or the
 * load scenario: {@code samples/run load [--clients 50] [--seconds 10]}.
 */
public final class Main {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.samples");

  private Main() {}

  /**
   * Runs the service until SIGTERM or Ctrl-C, then stops it gracefully and exits: 0 if nothing had
   * to be abandoned, 1 otherwise; 2 for a bad command line.
   *
   * @param args the command line; {@code --help} lists it
   * @throws Exception if the service cannot start
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("load")) {
      LoadScenario.main(List.of(args).subList(1, args.length));
      return;
    }
    ServiceConfig config;
    try {
      config = parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    Service service = new Service(config);
    service.start();
    String base = "http://" + config.host() + ":" + service.port();
    System.out.println("Bulwark quotes service listening on " + base);
    System.out.println("  simulated upstream on " + service.upstreamUri());
    System.out.println("  status page: " + base + "/");
    System.out.println("  try: curl " + base + "/quotes/ACME");
    System.out.println("       curl -N '" + base + "/quotes/stream?symbols=ACME,GLOBX'");
    System.out.println("       curl -N " + base + "/events");
    System.out.println("       curl -N '" + base + "/stream/tokens?prompt=hello'");
    System.out.println("       curl " + base + "/health/ready");
    System.out.println("       curl " + base + "/metrics");
    System.out.println("  more in samples/README.md; stop with Ctrl-C or SIGTERM (graceful)");
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable stop =
        () -> {
          if (!stopping.compareAndSet(false, true)) {
            return; // a second signal while stopping changes nothing
          }
          ShutdownReport report = service.stop();
          System.out.println("stopped: " + report);
          stopped.countDown();
          System.exit(report.abandoned().isEmpty() ? 0 : 1);
        };
    if (!onSignals(stop)) {
      Runtime.getRuntime().addShutdownHook(new Thread(service::stop, "graceful-stop"));
    }
    stopped.await();
  }

  static final String USAGE =
      """
      usage: samples/run [options]          start the service
             samples/run load [options]     run the load scenario (see samples/README.md)
      options (environment variable in brackets):
        --port N               the service's port, default 8080 (PORT)
        --host ADDR            the address to bind, default 127.0.0.1 (BULWARK_HOST)
        --upstream-port N      the simulated upstream's port, default any free one
        --data-dir DIR         uploads, outbox, job files; default samples/target/data (BULWARK_DATA_DIR)
        --failure-rate F       share of upstream requests that fail at start, default 0.1
        --latency-ms N         upstream latency at start, default 20
        --rate-per-minute N    requests per minute per client, default 120
        --burst N              requests per client at once, default 20
        --job-concurrency N    background jobs at once, default 2
        --job-grace-ms N       how long running jobs may finish at shutdown, default 5000
        --drain-delay-ms N     serve on after readiness turns false, default 1000
      admin endpoints need BULWARK_ADMIN_TOKEN set; without it they are off.
      """;

  static ServiceConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println(USAGE);
        System.exit(0);
      }
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("unknown or incomplete option '" + a + "'");
      }
      opts.put(a.substring(2), args[++i]);
    }
    String port = opts.remove("port");
    if (port == null) {
      port = env.getOrDefault("PORT", "8080");
    }
    String host =
        opts.containsKey("host")
            ? opts.remove("host")
            : env.getOrDefault("BULWARK_HOST", "127.0.0.1");
    String dataDir =
        opts.containsKey("data-dir")
            ? opts.remove("data-dir")
            : env.getOrDefault("BULWARK_DATA_DIR", "samples/target/data");
    ServiceConfig d = ServiceConfig.defaults(Path.of(dataDir));
    SimulatedUpstream.Faults faults =
        new SimulatedUpstream.Faults(
            dbl(opts.remove("failure-rate"), d.upstreamFaults().failureRate(), "failure-rate"),
            Duration.ofMillis(
                lng(
                    opts.remove("latency-ms"),
                    d.upstreamFaults().latency().toMillis(),
                    "latency-ms")),
            Duration.ZERO);
    ServiceConfig c =
        new ServiceConfig(
            host,
            (int) lng(port, 8080, "port"),
            (int) lng(opts.remove("upstream-port"), 0, "upstream-port"),
            d.dataDir(),
            java.util.Optional.ofNullable(env.get("BULWARK_ADMIN_TOKEN")),
            faults,
            d.tickInterval(),
            d.upstreamTimeout(),
            d.upstreamConcurrency(),
            d.breakerOpenDuration(),
            (int) lng(opts.remove("rate-per-minute"), d.ratePerMinute(), "rate-per-minute"),
            (int) lng(opts.remove("burst"), d.rateBurst(), "burst"),
            d.uploadLimit(),
            d.computeThreads(),
            (int) lng(opts.remove("job-concurrency"), d.jobConcurrency(), "job-concurrency"),
            d.heartbeat(),
            Duration.ofMillis(
                lng(opts.remove("drain-delay-ms"), d.drainDelay().toMillis(), "drain-delay-ms")),
            d.shutdownBudget(),
            Duration.ofMillis(
                lng(opts.remove("job-grace-ms"), d.jobGrace().toMillis(), "job-grace-ms")));
    if (!opts.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s) " + opts.keySet());
    }
    return c;
  }

  private static long lng(String raw, long fallback, String name) {
    if (raw == null) {
      return fallback;
    }
    try {
      return Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, was '" + raw + "'", e);
    }
  }

  private static double dbl(String raw, double fallback, String name) {
    if (raw == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, was '" + raw + "'", e);
    }
  }

  /**
   * Runs {@code action} on its own thread on SIGTERM and SIGINT, so the process can stop gracefully
   * and then exit with a status of its choosing (a JVM ended by SIGTERM through its shutdown hooks
   * exits with 143). Uses {@code sun.misc.Signal} reflectively, as it is not a standard API;
   * returns false where it is missing.
   */
  static boolean onSignals(Runnable action) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object handler =
          Proxy.newProxyInstance(
              handlerType.getClassLoader(),
              new Class<?>[] {handlerType},
              (proxy, method, a) ->
                  switch (method.getName()) {
                    case "handle" -> {
                      Thread.ofPlatform().name("graceful-stop").start(action);
                      yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == a[0];
                    default -> "graceful-stop handler";
                  });
      Method handle = signal.getMethod("handle", signal, handlerType);
      for (String name : List.of("TERM", "INT")) {
        handle.invoke(null, signal.getConstructor(String.class).newInstance(name), handler);
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "no signal handling ({0}); using a shutdown hook",
          e.toString());
      return false;
    }
  }
}
