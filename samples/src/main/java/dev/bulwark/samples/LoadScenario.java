package dev.bulwark.samples;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.circuitbreaker.CircuitBreakerEvent;
import dev.bulwark.resilience.retry.RetryEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load scenario: N clients for T seconds against a flaky upstream (failing at random, with a
 * full outage in the middle third), once through the quote pipeline and once with bare calls,
 * printing what the pipeline buys: success rate, latency, the load the upstream had to carry,
 * retries spent and breaker transitions.
 *
 * <pre>{@code samples/run load --clients 50 --seconds 12 --failure-rate 0.2}</pre>
 */
final class LoadScenario {

  private static final List<String> SYMBOLS = List.of("ACME", "GLOBX", "INITECH", "UMBRL");
  private static final Duration THINK_TIME = Duration.ofMillis(50);

  /** What one run measured. */
  record Result(
      long requests,
      long ok,
      long fallbacks,
      Duration p50,
      Duration p99,
      long upstreamRequests,
      long retries,
      Map<String, Long> transitions,
      Map<String, Long> errors) {}

  private LoadScenario() {}

  static void main(List<String> args) throws Exception {
    int clients = 50;
    int seconds = 12;
    double failureRate = 0.2;
    for (int i = 0; i + 1 < args.size(); i += 2) {
      switch (args.get(i)) {
        case "--clients" -> clients = Integer.parseInt(args.get(i + 1));
        case "--seconds" -> seconds = Integer.parseInt(args.get(i + 1));
        case "--failure-rate" -> failureRate = Double.parseDouble(args.get(i + 1));
        default -> throw new IllegalArgumentException("unknown load option " + args.get(i));
      }
    }
    if (args.size() % 2 != 0 || clients < 1 || seconds < 3 || failureRate < 0 || failureRate > 1) {
      System.err.println(
          "usage: samples/run load [--clients N>=1] [--seconds T>=3] [--failure-rate 0..1]");
      System.exit(2);
    }
    System.out.printf(
        Locale.ROOT,
        "%d clients for %d s each run; upstream fails %.0f %% of requests at random, and all of"
            + " them from %d s to %d s (an outage)%n",
        clients,
        seconds,
        failureRate * 100,
        seconds / 3,
        2 * seconds / 3);
    Result with = run(true, clients, Duration.ofSeconds(seconds), failureRate);
    Result without = run(false, clients, Duration.ofSeconds(seconds), failureRate);
    print(with, without);
  }

  static Result run(boolean pipeline, int clients, Duration length, double failureRate)
      throws Exception {
    TimeSource time = TimeSource.system();
    Path dir = Files.createTempDirectory("bulwark-load-");
    SimulatedUpstream.Faults normal =
        new SimulatedUpstream.Faults(failureRate, Duration.ofMillis(20), Duration.ZERO);
    SimulatedUpstream upstream = new SimulatedUpstream(0, Duration.ofSeconds(1), normal, time);
    upstream.start();
    try {
      ServiceConfig config = ServiceConfig.defaults(dir).withPorts(0, 0);
      UpstreamClient client = new UpstreamClient(upstream::baseUri, config);
      // warm up (connections, JIT) one call at a time, so that a cold start does not trip the
      // breaker, and every symbol has a last good price as the pipeline's fallback would after
      // any real uptime
      for (String symbol : SYMBOLS) {
        for (int attempt = 0; attempt < 20; attempt++) {
          try {
            client.fetchPrice(symbol);
            if (pipeline) {
              client.quote(symbol);
            }
            break;
          } catch (Exception e) {
            // a random failure of the flaky upstream: try again
          }
        }
      }
      client.breaker().reset();
      AtomicLong retries = new AtomicLong();
      Map<String, Long> transitions = new ConcurrentHashMap<>();
      client
          .retry()
          .subscribe(
              e -> {
                if (e instanceof RetryEvent.Retrying) {
                  retries.incrementAndGet();
                }
              });
      client
          .breaker()
          .subscribe(
              e -> {
                if (e instanceof CircuitBreakerEvent.StateTransition t) {
                  transitions.merge(t.from() + "->" + t.to(), 1L, Long::sum);
                }
              });
      Map<String, Long> causes = new ConcurrentHashMap<>();
      AtomicLong ok = new AtomicLong();
      AtomicLong fallbacks = new AtomicLong();
      List<List<Long>> latencies = new ArrayList<>();
      long start = time.nanoTime();
      long end = start + length.toNanos();
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        List<Long> mine = new ArrayList<>();
        latencies.add(mine);
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        while (time.nanoTime() < end) {
                          String symbol =
                              SYMBOLS.get(ThreadLocalRandom.current().nextInt(SYMBOLS.size()));
                          long t0 = time.nanoTime();
                          try {
                            if (pipeline) {
                              if (client.quote(symbol).served().equals("fallback")) {
                                fallbacks.incrementAndGet();
                              }
                            } else {
                              client.fetchPrice(symbol);
                            }
                            ok.incrementAndGet();
                          } catch (Exception e) {
                            causes.merge(e.getClass().getSimpleName(), 1L, Long::sum);
                          }
                          mine.add(time.nanoTime() - t0);
                          time.sleep(THINK_TIME);
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
      }
      // the outage: everything fails in the middle third
      time.sleep(length.dividedBy(3));
      upstream.setFaults(new SimulatedUpstream.Faults(1.0, normal.latency(), Duration.ZERO));
      time.sleep(length.dividedBy(3));
      upstream.setFaults(normal);
      for (Thread t : threads) {
        t.join();
      }
      List<Long> all = new ArrayList<>();
      latencies.forEach(all::addAll);
      Collections.sort(all);
      return new Result(
          all.size(),
          ok.get(),
          fallbacks.get(),
          percentile(all, 0.50),
          percentile(all, 0.99),
          upstream.counters().quoteRequests(),
          retries.get(),
          new TreeMap<>(transitions),
          new TreeMap<>(causes));
    } finally {
      upstream.stop();
      ScratchDir.deleteTree(dir);
    }
  }

  private static Duration percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(
        sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size()))));
  }

  private static void print(Result with, Result without) {
    String row = "%-22s %24s %24s%n";
    System.out.printf(Locale.ROOT, row, "", "with the pipeline", "bare calls");
    System.out.printf(Locale.ROOT, row, "requests", with.requests(), without.requests());
    System.out.printf(
        Locale.ROOT,
        row,
        "fresh answers",
        pct(with.ok() - with.fallbacks(), with.requests()),
        pct(without.ok(), without.requests()));
    System.out.printf(
        Locale.ROOT, row, "last good price", pct(with.fallbacks(), with.requests()), "-");
    System.out.printf(
        Locale.ROOT,
        row,
        "errors",
        pct(with.requests() - with.ok(), with.requests()),
        pct(without.requests() - without.ok(), without.requests()));
    System.out.printf(Locale.ROOT, row, "p50 latency", ms(with.p50()), ms(without.p50()));
    System.out.printf(Locale.ROOT, row, "p99 latency", ms(with.p99()), ms(without.p99()));
    System.out.printf(
        Locale.ROOT, row, "upstream requests", with.upstreamRequests(), without.upstreamRequests());
    System.out.printf(Locale.ROOT, row, "retries spent", with.retries(), "-");
    System.out.printf(
        Locale.ROOT,
        row,
        "breaker transitions",
        with.transitions().values().stream().mapToLong(Long::longValue).sum(),
        "-");
    with.transitions().forEach((k, v) -> System.out.printf(Locale.ROOT, row, "  " + k, v, ""));
    System.out.printf(Locale.ROOT, row, "errors by cause", "", "");
    java.util.Set<String> causes = new java.util.TreeSet<>(with.errors().keySet());
    causes.addAll(without.errors().keySet());
    for (String c : causes) {
      System.out.printf(
          Locale.ROOT,
          row,
          "  " + c,
          with.errors().getOrDefault(c, 0L),
          without.errors().getOrDefault(c, 0L));
    }
    System.out.println(
        "(one run each on this machine, which may be busy: compare the two columns, not absolute"
            + " numbers)");
  }

  private static String pct(long part, long whole) {
    return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f %%", 100.0 * part / whole);
  }

  private static String ms(Duration d) {
    return String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
  }

  /** Removes the scenario's scratch directory. */
  private static final class ScratchDir {
    static void deleteTree(Path dir) throws java.io.IOException {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Collections.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
