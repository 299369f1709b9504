package dev.bulwark.metrics;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.lifecycle.JobQueue;
import dev.bulwark.lifecycle.RestartPolicy;
import dev.bulwark.lifecycle.Supervisor;
import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.Policy;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.bulkhead.AdaptiveBulkhead;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.circuitbreaker.SlidingWindow;
import dev.bulwark.resilience.fallback.Fallback;
import dev.bulwark.resilience.fanout.FanOut;
import dev.bulwark.resilience.hedge.Hedge;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimiter;
import dev.bulwark.resilience.retry.Retry;
import dev.bulwark.resilience.retry.RetryBudget;
import dev.bulwark.resilience.timeout.Timeout;
import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.Encoders;
import dev.bulwark.streaming.StreamWriter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small service for the Prometheus test: every kind of component, bound to a {@link
 * PrometheusMeterRegistry} exposed at {@code /metrics} on 127.0.0.1, driven round after round
 * through its states on a virtual thread until closed. By design the driving keeps the alert rules'
 * conditions true: a breaker stays open, the retry budget keeps denying, a worker keeps restarting,
 * a job queue keeps growing.
 */
final class DrivenApp implements AutoCloseable {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpServer server;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final CountDownLatch release = new CountDownLatch(1); // unblocks held calls and jobs
  private final AtomicLong rounds = new AtomicLong();
  private final Thread driver;

  private final CircuitBreaker payments =
      CircuitBreaker.builder("payments")
          .slidingWindow(SlidingWindow.count(10))
          .minimumCalls(10)
          .openDuration(Duration.ofHours(1))
          .build();
  private final CircuitBreaker search = CircuitBreaker.builder("search").build();
  private final RetryBudget budget =
      RetryBudget.builder().ratio(0.1).minRetriesPerSecond(1).build();
  private final Retry quotes =
      Retry.builder("quotes")
          .maxAttempts(3)
          .backoff(Backoff.fixed(Duration.ofMillis(1)).build())
          .budget(budget)
          .build();
  private final Bulkhead db = Bulkhead.builder("db").maxConcurrentCalls(1).build();
  private final AdaptiveBulkhead adaptive = AdaptiveBulkhead.builder("adaptive").build();
  private final RateLimiter api = RateLimiter.builder("api").rate(5, Duration.ofSeconds(1)).build();
  private final KeyedRateLimiter<Object> perClient =
      KeyedRateLimiter.builder("per-client").rate(1, Duration.ofSeconds(1)).build();
  private final Timeout slow = Timeout.builder("slow").timeout(Duration.ofMillis(20)).build();
  private final Fallback<String> cache = Fallback.to("cached").named("cache");
  private final Hedge hedge = Hedge.builder("hedge").delay(Duration.ofMillis(5)).build();
  private final FanOut fan = FanOut.builder("fan").timeout(Duration.ofSeconds(1)).build();
  private final StreamWriter<CharSequence> export =
      StreamWriter.builder("export").encoder(Encoders.lines()).build();
  private final JobQueue<String> emails =
      JobQueue.<String>builder("emails", job -> release.await())
          .concurrency(1)
          .capacity(100_000)
          .build();
  private final Supervisor service;
  private final Supervisor batch;
  private final MeterBinding binding;

  DrivenApp() throws Exception {
    service =
        Supervisor.builder("service")
            .worker(
                "heartbeat",
                ctx -> {
                  while (!ctx.awaitStop(Duration.ofMillis(100))) {
                    ctx.heartbeat();
                  }
                })
            .worker(
                "flaky",
                ctx -> {
                  throw new IllegalStateException("flaky worker fails at once");
                },
                c ->
                    c.restart(
                        RestartPolicy.onFailure(
                            Backoff.fixed(Duration.ofMillis(200)).build(),
                            1_000_000,
                            Duration.ofMinutes(1))))
            .worker(
                "stalled",
                ctx -> {
                  ctx.awaitStop(Duration.ofMinutes(5)); // never beats: unhealthy once stalled
                },
                c -> c.stallLimit(Duration.ofMillis(200)))
            .jobQueue(emails)
            .shutdownBudget(Duration.ofSeconds(20))
            .build();
    batch =
        Supervisor.builder("batch")
            .worker("once", ctx -> ctx.awaitStop(Duration.ofMinutes(1)))
            .shutdownBudget(Duration.ofSeconds(20))
            .build();
    binding =
        BulwarkMetrics.bind(
            registry, payments, search, quotes, db, adaptive, api, perClient, slow, cache, hedge,
            fan, export, emails, service, batch);
    BulwarkMetrics.of("shared", budget).bindTo(registry);
    service.start();
    batch.start();
    batch.stop();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    driver = Thread.ofVirtual().name("driven-app").start(this::drive);
  }

  /** The port of {@code /metrics} on 127.0.0.1. */
  int port() {
    return server.getAddress().getPort();
  }

  /** The registry's current scrape text. */
  String scrape() {
    return registry.scrape();
  }

  /** How many rounds of driving have completed. */
  long rounds() {
    return rounds.get();
  }

  private void drive() {
    while (running.get()) {
      try {
        round();
        rounds.incrementAndGet();
        TimeSource.system().sleep(Duration.ofMillis(100));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        throw new IllegalStateException("a round of driving failed", e);
      }
    }
  }

  private static <T> void quietly(Policy policy, Call<T, ? extends Exception> call) {
    try {
      policy.call(call);
    } catch (Exception expected) {
      // the refusals and failures are what this app is for; the meters count them
    }
  }

  private static String fail() throws IOException {
    throw new IOException("upstream down");
  }

  private void round() throws Exception {
    long n = rounds.get();
    quietly(payments, n % 2 == 0 ? () -> "ok" : DrivenApp::fail); // trips once, then refuses
    quietly(search, () -> "ok");
    quietly(search, DrivenApp::fail);
    quietly(quotes, () -> "ok");
    AtomicLong attempt = new AtomicLong();
    quietly(quotes, () -> attempt.incrementAndGet() == 1 ? fail() : "second");
    quietly(quotes, DrivenApp::fail); // spends the budget until it denies
    var held = db.acquirePermit();
    try {
      quietly(db, () -> "refused: the only permit is held");
    } finally {
      held.close();
    }
    quietly(db, () -> "ok");
    quietly(adaptive, () -> "ok");
    for (int i = 0; i < 3; i++) {
      quietly(api, () -> "ok");
    }
    perClient.tryAcquire("client-" + (n % 5));
    quietly(slow, () -> "in time");
    quietly(slow, () -> release.await(1, TimeUnit.SECONDS));
    cache.call(() -> n % 2 == 0 ? "fresh" : fail());
    quietly(hedge, () -> release.await(20, TimeUnit.MILLISECONDS));
    fan.call(List.<Call<String, Exception>>of(() -> "a", DrivenApp::fail));
    export.writeTo(new ByteArrayOutputStream(), ChunkSource.of(List.of("a", "b", "c")));
    emails.submit("welcome-" + n); // the only runner is held: the queue grows
  }

  @Override
  public void close() {
    running.set(false);
    driver.interrupt();
    try {
      driver.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    release.countDown();
    server.stop(0);
    service.stop();
    binding.close();
    registry.close();
  }
}
