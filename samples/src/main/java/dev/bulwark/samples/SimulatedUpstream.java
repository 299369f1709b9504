package dev.bulwark.samples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bulwark.lifecycle.ManagedResource;
import dev.bulwark.resilience.TimeSource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The simulated partner API the quotes service depends on: a real HTTP server (the JDK's) on a
 * loopback port of its own, whose failure rate, latency and {@code Retry-After} can be changed
 * while it runs, and which counts what it does so that tests and the status page can see it.
 *
 * <ul>
 *   <li>{@code GET /quote/{symbol}}: one quote as JSON, or a 503 (with {@code Retry-After} when
 *       configured) at the configured failure rate, after the configured latency.
 *   <li>{@code GET /ticks?symbols=A,B&after=N}: an endless NDJSON stream of ticks numbered from
 *       {@code N + 1}, one every tick interval; at the failure rate a stream breaks off mid-way.
 * </ul>
 */
final class SimulatedUpstream implements ManagedResource {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.samples.upstream");

  /**
   * How the upstream misbehaves now.
   *
   * @param failureRate the share of requests (and of ticks) that fail, in [0, 1]
   * @param latency how long each quote request takes
   * @param retryAfter the {@code Retry-After} a failing request announces, or zero for none
   */
  record Faults(double failureRate, Duration latency, Duration retryAfter) {
    Faults {
      if (!(failureRate >= 0 && failureRate <= 1)) {
        throw new IllegalArgumentException("failureRate must be in [0, 1], was " + failureRate);
      }
      if (latency.isNegative() || latency.compareTo(Duration.ofSeconds(30)) > 0) {
        throw new IllegalArgumentException("latency must be in [0s, 30s], was " + latency);
      }
      if (retryAfter.isNegative() || retryAfter.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("retryAfter must be in [0s, 1h], was " + retryAfter);
      }
    }

    static Faults healthy() {
      return new Faults(0, Duration.ofMillis(5), Duration.ZERO);
    }
  }

  /**
   * What the upstream has done so far.
   *
   * @param quoteRequests quote requests received
   * @param quoteFailures quote requests answered with a failure
   * @param tickStreamsOpened tick streams started
   * @param tickStreamsActive tick streams running now
   * @param ticksSent ticks written
   */
  record Counters(
      long quoteRequests,
      long quoteFailures,
      long tickStreamsOpened,
      long tickStreamsActive,
      long ticksSent) {}

  private final InetSocketAddress requested;
  private final Duration tickInterval;
  private final TimeSource time;
  private final AtomicReference<Faults> faults;
  private final AtomicLong quoteRequests = new AtomicLong();
  private final AtomicLong quoteFailures = new AtomicLong();
  private final AtomicLong tickStreamsOpened = new AtomicLong();
  private final AtomicLong tickStreamsActive = new AtomicLong();
  private final AtomicLong ticksSent = new AtomicLong();
  private volatile HttpServer server;
  private volatile ExecutorService executor;

  SimulatedUpstream(int port, Duration tickInterval, Faults initial, TimeSource time) {
    this.requested = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    this.tickInterval = tickInterval;
    this.time = time;
    this.faults = new AtomicReference<>(initial);
  }

  @Override
  public void start() throws IOException {
    HttpServer s = HttpServer.create(requested, 200);
    executor = Executors.newVirtualThreadPerTaskExecutor();
    s.setExecutor(executor);
    s.createContext("/quote/", this::quote);
    s.createContext("/ticks", this::ticks);
    s.start();
    server = s;
    LOG.log(System.Logger.Level.INFO, "simulated upstream listening on {0}", baseUri());
  }

  @Override
  public void stop() {
    HttpServer s = server;
    if (s != null) {
      s.stop(0);
      executor.shutdownNow();
    }
  }

  /** The base address, such as {@code http://127.0.0.1:8081}, once started. */
  URI baseUri() {
    HttpServer s = server;
    if (s == null) {
      throw new IllegalStateException("the simulated upstream is not started");
    }
    return URI.create("http://127.0.0.1:" + s.getAddress().getPort());
  }

  Faults faults() {
    return faults.get();
  }

  void setFaults(Faults next) {
    faults.set(next);
    LOG.log(System.Logger.Level.INFO, "upstream faults now {0}", next);
  }

  Counters counters() {
    return new Counters(
        quoteRequests.get(),
        quoteFailures.get(),
        tickStreamsOpened.get(),
        tickStreamsActive.get(),
        ticksSent.get());
  }

  private boolean failsNow(Faults f) {
    return f.failureRate() > 0 && ThreadLocalRandom.current().nextDouble() < f.failureRate();
  }

  private void quote(HttpExchange exchange) throws IOException {
    try (exchange) {
      quoteRequests.incrementAndGet();
      Faults f = faults.get();
      try {
        time.sleep(f.latency());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return; // the server is stopping
      }
      String symbol = exchange.getRequestURI().getPath().substring("/quote/".length());
      if (failsNow(f)) {
        quoteFailures.incrementAndGet();
        if (!f.retryAfter().isZero()) {
          exchange
              .getResponseHeaders()
              .set("Retry-After", Long.toString(Math.max(1, f.retryAfter().toSeconds())));
        }
        send(exchange, 503, "{\"error\":\"simulated outage\"}");
        return;
      }
      send(
          exchange,
          200,
          "{\"symbol\":\"" + symbol + "\",\"price\":" + Prices.price(symbol, 0) + "}");
    }
  }

  private void ticks(HttpExchange exchange) throws IOException {
    tickStreamsOpened.incrementAndGet();
    tickStreamsActive.incrementAndGet();
    try (exchange) {
      String[] symbols = query(exchange, "symbols", "ACME").split(",");
      long seq = Long.parseLong(query(exchange, "after", "0"));
      exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      while (true) {
        time.sleep(tickInterval);
        if (failsNow(faults.get())) {
          quoteFailures.incrementAndGet();
          return; // breaks off: the client sees the body end early, without the last chunk
        }
        seq++;
        String symbol = symbols[(int) (seq % symbols.length)];
        String line =
            "{\"seq\":"
                + seq
                + ",\"symbol\":\""
                + symbol
                + "\",\"price\":"
                + Prices.price(symbol, seq)
                + "}\n";
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.flush();
        ticksSent.incrementAndGet();
      }
    } catch (IOException e) {
      // the reader went away: that ends the stream, which is what the counters show
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      tickStreamsActive.decrementAndGet();
    }
  }

  private static String query(HttpExchange exchange, String name, String fallback) {
    String q = exchange.getRequestURI().getQuery();
    if (q != null) {
      for (String pair : q.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).equals(name)) {
          return pair.substring(eq + 1);
        }
      }
    }
    return fallback;
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }
}
