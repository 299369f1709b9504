package dev.bulwark.lifecycle;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Measures how long a supervisor takes to start and to stop gracefully N virtual-thread workers
 * (default 10,000). Not a test: timing does not belong in tests. Run it as lifecycle/README.md
 * says; a JMH benchmark will replace it in {@code benchmarks/}.
 *
 * <pre>
 * java -cp lifecycle/target/classes:lifecycle/target/test-classes:resilience-core/target/classes \
 *     dev.bulwark.lifecycle.ScaleMeasurement 10000 5
 * </pre>
 */
public final class ScaleMeasurement {

  private ScaleMeasurement() {}

  /**
   * Runs the measurement.
   *
   * @param args the number of workers (default 10,000) and of rounds (default 5; the first ones
   *     warm the JIT up)
   * @throws Exception if a start fails
   */
  public static void main(String[] args) throws Exception {
    int workers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    System.out.printf(
        "%d workers, %d rounds, %d cores, Java %s%n",
        workers, rounds, Runtime.getRuntime().availableProcessors(), Runtime.version());
    for (int round = 1; round <= rounds; round++) {
      CountDownLatch running = new CountDownLatch(workers);
      SupervisorBuilder builder =
          Supervisor.builder("scale").shutdownBudget(Duration.ofSeconds(60));
      for (int i = 0; i < workers; i++) {
        builder.worker(
            "worker-" + i,
            ctx -> {
              running.countDown();
              while (!ctx.isStopping()) {
                ctx.heartbeat();
                ctx.awaitStop(Duration.ofSeconds(1));
              }
            },
            c -> c.grace(Duration.ofMillis(5)));
      }
      Supervisor supervisor = builder.build();
      long t0 = System.nanoTime();
      supervisor.start();
      long started = System.nanoTime();
      running.await();
      long allRunning = System.nanoTime();
      ShutdownReport report = supervisor.stop();
      long stopped = System.nanoTime();
      Map<ShutdownReport.Outcome, Integer> outcomes = new EnumMap<>(ShutdownReport.Outcome.class);
      for (ShutdownReport.ComponentReport c : report.components()) {
        outcomes.merge(c.outcome(), 1, Integer::sum);
      }
      System.out.printf(
          "round %d: start() %d ms, all running after %d ms, stop() %d ms, outcomes %s%n",
          round,
          (started - t0) / 1_000_000,
          (allRunning - t0) / 1_000_000,
          (stopped - allRunning) / 1_000_000,
          outcomes);
    }
  }
}
