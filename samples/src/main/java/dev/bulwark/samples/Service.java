package dev.bulwark.samples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.lifecycle.ComponentHealth;
import dev.bulwark.lifecycle.ManagedResource;
import dev.bulwark.lifecycle.PeriodicTask;
import dev.bulwark.lifecycle.ShutdownReport;
import dev.bulwark.lifecycle.StartupException;
import dev.bulwark.lifecycle.Supervisor;
import dev.bulwark.lifecycle.SupervisorHealth;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.ratelimit.KeyedRateLimiter;
import dev.bulwark.resilience.ratelimit.RateLimitedException;
import dev.bulwark.resilience.timeout.TimeoutExceededException;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.JavalinConfig;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The quotes service: every component and endpoint wired in one place.
 *
 * <p>Start order, under one {@link Supervisor}: the simulated upstream, the job queue, the upstream
 * health monitor, the HTTP server, the stream drain. A stop runs in reverse: readiness false, the
 * drain delay, open streams end with a last line or event, the server stops, the monitor stops, the
 * job queue drains within its grace and writes what it could not finish to a file, the upstream
 * stops.
 */
final class Service {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.samples");
  private static final String ROUTE = "bulwark.route";
  private static final String STARTED = "bulwark.started";
  private static final Set<String> LIMITED_PREFIXES =
      Set.of(
          "/quotes",
          "/events",
          "/stream",
          "/compute",
          "/concurrent/slow",
          "/files",
          "/jobs",
          "/users");

  private final ServiceConfig config;
  private final TimeSource time = TimeSource.system();
  private final SimulatedUpstream upstream;
  private final UpstreamClient client;
  private final KeyedRateLimiter<String> limiter;
  private final Streams streams;
  private final Jobs jobs;
  private final Users users;
  private final Uploads uploads;
  private final Compute compute;
  private final ServiceMetrics metrics = new ServiceMetrics();
  private final Supervisor supervisor;
  private final String statusPage;
  private volatile Javalin app;
  private volatile boolean upstreamHealthy;

  Service(ServiceConfig config) {
    this.config = config;
    this.upstream =
        new SimulatedUpstream(
            config.upstreamPort(), config.tickInterval(), config.upstreamFaults(), time);
    this.client = new UpstreamClient(upstream::baseUri, config);
    this.limiter =
        KeyedRateLimiter.builder("api")
            .rate(config.ratePerMinute(), Duration.ofMinutes(1))
            .burst(config.rateBurst())
            .maxKeys(100_000)
            .build();
    this.streams = new Streams(client, config);
    this.jobs = new Jobs(config);
    this.users = new Users(jobs);
    this.uploads = new Uploads(config, jobs);
    this.compute = new Compute(config.computeThreads());
    this.statusPage = resource("index.html");

    this.supervisor =
        Supervisor.builder("quotes-service")
            .resource("upstream", upstream)
            .jobQueue(jobs.queue(), c -> c.grace(config.jobGrace()))
            .worker(
                "upstream-monitor",
                PeriodicTask.fixedRate(Duration.ofSeconds(1)).build(ctx -> checkUpstream()),
                c -> c.stallLimit(Duration.ofSeconds(10)))
            .resource("http", httpServer(), c -> c.grace(Duration.ofSeconds(3)))
            .resource("streams", streams)
            .drainDelay(config.drainDelay())
            .shutdownBudget(config.shutdownBudget())
            .build();
    metrics.bind(
        "quotes-retry-budget",
        client.budget(),
        client.breaker(),
        client.retry(),
        client.bulkhead(),
        compute.bulkhead(),
        limiter,
        streams.ndjsonWriter(),
        streams.sseWriter(),
        supervisor,
        jobs.queue());
  }

  /** Starts everything; re-queues the jobs a previous shutdown left unfinished. */
  void start() throws StartupException, IOException {
    Files.createDirectories(config.dataDir());
    jobs.requeueUnfinished();
    supervisor.start();
  }

  /** Stops gracefully within the budget; idempotent. */
  ShutdownReport stop() {
    ShutdownReport report = supervisor.stop();
    compute.close();
    return report;
  }

  int port() {
    return app.port();
  }

  URI upstreamUri() {
    return upstream.baseUri();
  }

  SimulatedUpstream.Counters upstreamCounters() {
    return upstream.counters();
  }

  Map<String, Object> streamStats() {
    return streams.stats();
  }

  private ManagedResource httpServer() {
    return new ManagedResource() {
      @Override
      public void start() {
        app = Javalin.create(Service.this::configure).start(config.host(), config.port());
      }

      @Override
      public void stop() {
        app.stop();
      }
    };
  }

  private void configure(JavalinConfig c) {
    c.concurrency.useVirtualThreads = true;
    c.startup.showJavalinBanner = false;
    c.http.compressionStrategy = CompressionStrategy.NONE; // streams must not sit in a gzip buffer
    c.http.maxRequestSize = 1024 * 1024;
    c.jetty.multipartConfig.cacheDirectory(config.dataDir().resolve("tmp").toString());
    c.jetty.multipartConfig.maxFileSize(config.uploadLimit(), SizeUnit.BYTES);
    c.jetty.multipartConfig.maxTotalRequestSize(config.uploadLimit() + 65_536, SizeUnit.BYTES);
    c.jetty.multipartConfig.maxInMemoryFileSize(64 * 1024, SizeUnit.BYTES);

    var r = c.routes;
    r.before(this::beforeRequest);
    r.after(this::afterRequest);
    r.exception(
        ApiException.class, (e, ctx) -> problem(ctx, e.status(), e.getMessage(), e.fields()));
    r.exception(RejectedException.class, this::refused);
    r.exception(
        TimeoutExceededException.class, (e, ctx) -> problem(ctx, 504, e.getMessage(), Map.of()));
    r.exception(
        HttpTimeoutException.class,
        (e, ctx) -> problem(ctx, 504, "the upstream timed out: " + e.getMessage(), Map.of()));
    r.exception(
        UpstreamException.class,
        (e, ctx) -> {
          e.retryAfter().ifPresent(d -> ctx.header("Retry-After", Long.toString(d.toSeconds())));
          problem(ctx, 502, "the upstream failed after retries: " + e.getMessage(), Map.of());
        });
    r.exception(
        IOException.class,
        (e, ctx) -> problem(ctx, 502, "the upstream could not be reached: " + e, Map.of()));
    r.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.log(System.Logger.Level.ERROR, "unexpected failure on " + ctx.path(), e);
          problem(ctx, 500, "unexpected failure: " + e.getClass().getSimpleName(), Map.of());
        });
    r.error(
        404,
        ctx -> {
          if (ctx.attribute(ROUTE) == null) { // no route matched; a handler's own 404 stays
            problem(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path(), Map.of());
          }
        });

    get(c, "/", ctx -> ctx.html(statusPage));
    get(c, "/quotes/stream", streams::quotesNdjson);
    get(c, "/quotes/{symbol}", this::quote);
    get(c, "/events", streams::quotesSse);
    get(c, "/stream/tokens", streams::tokens);
    get(c, "/status", ctx -> json(ctx, status()));
    get(c, "/status/events", ctx -> streams.status(ctx, this::status));
    get(c, "/compute/fib", compute::fib);
    get(c, "/concurrent/slow", compute::slow);
    get(c, "/concurrent/stats", compute::statsEndpoint);
    post(c, "/files", uploads::post);
    post(c, "/jobs", jobs::post);
    get(c, "/jobs/{id}", jobs::get);
    post(c, "/users", users::register);
    get(c, "/health/live", this::live);
    get(c, "/health/ready", this::ready);
    get(
        c,
        "/metrics",
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    get(
        c,
        "/admin/upstream",
        ctx -> {
          admin(ctx);
          json(ctx, upstreamStatus());
        });
    post(c, "/admin/upstream", this::setFaults);
  }

  private static void get(JavalinConfig c, String path, Handler h) {
    c.routes.get(
        path,
        ctx -> {
          ctx.attribute(ROUTE, path);
          h.handle(ctx);
        });
  }

  private static void post(JavalinConfig c, String path, Handler h) {
    c.routes.post(
        path,
        ctx -> {
          ctx.attribute(ROUTE, path);
          h.handle(ctx);
        });
  }

  /** Per-client rate limit (by API key, else by address) with the RateLimit-* headers. */
  private void beforeRequest(Context ctx) {
    ctx.attribute(STARTED, time.nanoTime());
    String path = ctx.path();
    if (LIMITED_PREFIXES.stream().noneMatch(path::startsWith)) {
      return;
    }
    String key =
        Optional.ofNullable(ctx.header("X-Api-Key")).map(k -> "key:" + k).orElse("ip:" + ctx.ip());
    int burst = limiter.config().burst();
    ctx.header("RateLimit-Limit", Integer.toString(burst));
    try {
      limiter.acquire(key, 1, Duration.ZERO);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted while checking the rate limit");
    } finally {
      int remaining = limiter.availablePermits(key);
      long perPermitNanos = limiter.config().period().toNanos() / limiter.config().permits();
      long resetSeconds = (long) Math.ceil((burst - remaining) * perPermitNanos / 1e9);
      ctx.header("RateLimit-Remaining", Integer.toString(remaining));
      ctx.header("RateLimit-Reset", Long.toString(resetSeconds));
    }
  }

  private void afterRequest(Context ctx) {
    Long started = ctx.attribute(STARTED);
    String route = Optional.<String>ofNullable(ctx.attribute(ROUTE)).orElse("NOT_FOUND");
    if (started != null) {
      metrics.recordRequest(
          ctx.method().name(),
          route,
          ctx.statusCode(),
          Duration.ofNanos(time.nanoTime() - started));
    }
  }

  private void refused(RejectedException e, Context ctx) {
    e.retryAfter()
        .ifPresent(d -> ctx.header("Retry-After", Long.toString(Math.max(1, ceilSeconds(d)))));
    int status = e instanceof RateLimitedException ? 429 : 503;
    problem(ctx, status, e.getMessage(), Map.of());
  }

  private static long ceilSeconds(Duration d) {
    return d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0);
  }

  /** Writes a JSON error: {@code {"status":..,"error":"..","fields":{..}}}. */
  static void problem(Context ctx, int status, String message, Map<String, String> fields) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("error", message);
    if (!fields.isEmpty()) {
      body.put("fields", fields);
    }
    ctx.status(status);
    json(ctx, body);
  }

  static void json(Context ctx, Object body) {
    ctx.contentType("application/json").result(Json.write(body));
  }

  private void quote(Context ctx) throws IOException {
    String symbol = ctx.pathParam("symbol");
    if (!symbol.matches("[A-Z]{1,8}")) {
      throw new ApiException(400, "symbol must be 1-8 capital letters, was '" + symbol + "'");
    }
    json(ctx, client.quote(symbol));
  }

  private void live(Context ctx) {
    SupervisorHealth h = supervisor.health();
    ctx.status(h.live() ? 200 : 503);
    json(ctx, Map.of("live", h.live(), "state", h.state().name()));
  }

  private void ready(Context ctx) {
    SupervisorHealth h = supervisor.health();
    ctx.status(h.ready() ? 200 : 503);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ready", h.ready());
    body.put("state", h.state().name());
    body.put("upstream", upstreamHealthy ? "UP" : "DOWN");
    body.put("components", components(h));
    json(ctx, body);
  }

  private static List<Map<String, Object>> components(SupervisorHealth h) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (ComponentHealth c : h.components()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", c.name());
      m.put("state", c.state().name());
      m.put("healthy", c.healthy());
      m.put("restarts", c.restarts());
      c.sinceHeartbeat().ifPresent(d -> m.put("sinceHeartbeatMs", d.toMillis()));
      c.lastFailure().ifPresent(f -> m.put("lastFailure", f.toString()));
      list.add(m);
    }
    return list;
  }

  /** The upstream monitor's iteration: one plain request, no retry, so it reports the truth. */
  private void checkUpstream() {
    boolean ok;
    try {
      client.fetchPrice("HEALTH");
      ok = true;
    } catch (IOException e) {
      ok = false;
    }
    if (ok != upstreamHealthy) {
      LOG.log(System.Logger.Level.INFO, "upstream is now {0}", ok ? "UP" : "DOWN");
    }
    upstreamHealthy = ok;
  }

  /** Everything the status page shows, at one moment. */
  Map<String, Object> status() {
    Map<String, Object> m = new LinkedHashMap<>();
    CircuitBreaker.Metrics b = client.breaker().metrics();
    m.put(
        "breaker",
        Map.of(
            "name",
            "quotes",
            "state",
            b.state().name(),
            "failureRate",
            b.failureRate(),
            "bufferedCalls",
            b.bufferedCalls(),
            "notPermitted",
            b.notPermittedCalls()));
    m.put(
        "bulkheads",
        Map.of(
            "quotes",
                Map.of(
                    "available",
                    client.bulkhead().availablePermits(),
                    "limit",
                    client.bulkhead().config().maxConcurrentCalls()),
            "compute",
                Map.of(
                    "available",
                    compute.bulkhead().availablePermits(),
                    "limit",
                    compute.bulkhead().config().maxConcurrentCalls())));
    m.put(
        "rateLimit",
        Map.of(
            "perMinute",
            config.ratePerMinute(),
            "burst",
            config.rateBurst(),
            "trackedClients",
            limiter.trackedKeys()));
    m.put("retryBudget", Map.of("available", client.budget().available()));
    SupervisorHealth h = supervisor.health();
    m.put(
        "health",
        Map.of(
            "live",
            h.live(),
            "ready",
            h.ready(),
            "state",
            h.state().name(),
            "components",
            components(h)));
    m.put("upstream", upstreamStatus());
    m.put("streams", streams.stats());
    m.put("jobs", jobs.stats());
    m.put("concurrent", compute.stats());
    m.put("admin", config.adminToken().isPresent());
    return m;
  }

  private Map<String, Object> upstreamStatus() {
    SimulatedUpstream.Faults f = upstream.faults();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("healthy", upstreamHealthy);
    m.put("failureRate", f.failureRate());
    m.put("latencyMs", f.latency().toMillis());
    m.put("retryAfterSeconds", f.retryAfter().toSeconds());
    m.put("counters", upstream.counters());
    return m;
  }

  /** Refuses unless admin is on and the request carries the token (compared in constant time). */
  private void admin(Context ctx) {
    String token =
        config
            .adminToken()
            .orElseThrow(
                () ->
                    new ApiException(
                        404,
                        "admin endpoints are off: start the service with BULWARK_ADMIN_TOKEN set"));
    String given = Optional.ofNullable(ctx.header("X-Admin-Token")).orElse("");
    if (!MessageDigest.isEqual(
        token.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
      throw new ApiException(401, "send the admin token in the X-Admin-Token header");
    }
  }

  /** {@code POST /admin/upstream {"failureRate":1.0,"latencyMs":20,"retryAfterSeconds":2}}. */
  private void setFaults(Context ctx) {
    admin(ctx);
    JsonNode body = Users.jsonBody(ctx);
    SimulatedUpstream.Faults now = upstream.faults();
    Map<String, String> invalid = new LinkedHashMap<>();
    double rate = number(body, "failureRate", now.failureRate(), 0, 1, invalid);
    double latency = number(body, "latencyMs", now.latency().toMillis(), 0, 30_000, invalid);
    double retryAfter =
        number(body, "retryAfterSeconds", now.retryAfter().toSeconds(), 0, 3600, invalid);
    ApiException.unprocessableIf(invalid);
    upstream.setFaults(
        new SimulatedUpstream.Faults(
            rate, Duration.ofMillis((long) latency), Duration.ofSeconds((long) retryAfter)));
    json(ctx, upstreamStatus());
  }

  private static double number(
      JsonNode body,
      String field,
      double fallback,
      double min,
      double max,
      Map<String, String> invalid) {
    JsonNode n = body.get(field);
    if (n == null) {
      return fallback;
    }
    if (!n.isNumber() || n.asDouble() < min || n.asDouble() > max) {
      invalid.put(field, "must be a number in [" + fmt(min) + ", " + fmt(max) + "]");
      return fallback;
    }
    return n.asDouble();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static String resource(String name) {
    try (InputStream in = Service.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
