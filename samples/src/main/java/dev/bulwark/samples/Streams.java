package dev.bulwark.samples;

import dev.bulwark.lifecycle.ManagedResource;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.Encoders;
import dev.bulwark.streaming.SseEvent;
import dev.bulwark.streaming.StreamResult;
import dev.bulwark.streaming.StreamWriter;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The streaming endpoints, written with Bulwark's {@link StreamWriter} straight onto the servlet
 * response, and the drain that ends them at shutdown: each open stream ends with a last whole line
 * or event saying why, and new streams are refused while draining.
 *
 * <p>As a supervised resource it is declared after the HTTP server, so it stops first: open streams
 * end before the server stops accepting connections and waits for its requests.
 */
final class Streams implements ManagedResource {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.samples.streams");
  private static final Pattern SYMBOL = Pattern.compile("[A-Z]{1,8}");
  private static final Duration TOKEN_DELAY = Duration.ofMillis(50);
  private static final Duration STATUS_PERIOD = Duration.ofMillis(500);

  private final UpstreamClient upstream;
  private final Duration drainBudget;
  private final TimeSource time = TimeSource.system();
  private final StreamWriter<Object> ndjson;
  private final StreamWriter<SseEvent> sse;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition allEnded = lock.newCondition();
  private volatile boolean draining;
  private int active; // guarded by lock
  private final AtomicLong tokenGenerators = new AtomicLong();
  private final AtomicLong tokensGenerated = new AtomicLong();

  Streams(UpstreamClient upstream, ServiceConfig config) {
    this.upstream = upstream;
    this.drainBudget = Duration.ofSeconds(5);
    this.ndjson =
        StreamWriter.builder("ndjson")
            .encoder(Encoders.<Object>ndjson(Json::write))
            .heartbeat(config.heartbeat())
            .writeStallTimeout(Duration.ofSeconds(10))
            .build();
    this.sse =
        StreamWriter.builder("sse")
            .encoder(Encoders.sse())
            .heartbeat(config.heartbeat())
            .writeStallTimeout(Duration.ofSeconds(10))
            .build();
  }

  /** The writer of the NDJSON streams, for its meters. */
  StreamWriter<Object> ndjsonWriter() {
    return ndjson;
  }

  /** The writer of the SSE streams, for its meters. */
  StreamWriter<SseEvent> sseWriter() {
    return sse;
  }

  @Override
  public void start() {
    draining = false;
  }

  /** Ends every open stream with its last item and waits (bounded) until they have ended. */
  @Override
  public void stop() throws InterruptedException {
    draining = true;
    lock.lock();
    try {
      long left = drainBudget.toNanos();
      while (active > 0 && left > 0) {
        left = allEnded.awaitNanos(left);
      }
      if (active > 0) {
        LOG.log(System.Logger.Level.WARNING, "{0} streams still open after the drain", active);
      }
    } finally {
      lock.unlock();
    }
  }

  boolean draining() {
    return draining;
  }

  /** Counters for the status page and tests. */
  Map<String, Object> stats() {
    Map<String, Object> m = new LinkedHashMap<>();
    lock.lock();
    try {
      m.put("open", active);
    } finally {
      lock.unlock();
    }
    m.put("tokenGeneratorsRunning", tokenGenerators.get());
    m.put("tokensGenerated", tokensGenerated.get());
    return m;
  }

  /** {@code GET /quotes/stream?symbols=A,B}: the upstream's ticks as NDJSON. */
  void quotesNdjson(Context ctx) throws IOException {
    List<String> symbols = symbols(ctx);
    ChunkSource<Object> source =
        new FinishingSource<Object>(
            upstream.ticks(symbols, Optional.empty()).map(Streams::tickLine),
            () -> draining,
            reason -> Map.of("type", "end", "reason", reason));
    write(ctx, ndjson, source);
  }

  /** {@code GET /events?symbols=A,B}: the ticks as SSE, resumable with {@code Last-Event-ID}. */
  void quotesSse(Context ctx) throws IOException {
    List<String> symbols = symbols(ctx);
    Optional<Long> after = lastEventId(ctx);
    ChunkSource<SseEvent> source =
        new FinishingSource<>(
            upstream
                .ticks(symbols, after)
                .map(
                    t ->
                        SseEvent.of(Json.write(tickLine(t)))
                            .withEvent("tick")
                            .withId(Long.toString(t.seq()))),
            () -> draining,
            reason -> SseEvent.of(Json.write(Map.of("reason", reason))).withEvent("end"));
    write(ctx, sse, source);
  }

  /** {@code GET /stream/tokens?prompt=...}: an LLM-style answer, one token per SSE event. */
  void tokens(Context ctx) throws IOException {
    String prompt = ctx.queryParam("prompt");
    if (prompt == null || prompt.isBlank() || prompt.length() > 500) {
      throw new ApiException(400, "prompt is required and at most 500 characters");
    }
    int max = intParam(ctx, "max", 60, 1, 1000);
    List<String> words = answer(prompt, max);
    ChunkSource<SseEvent> generated =
        ChunkSource.<SseEvent>generator(
                out -> {
                  tokenGenerators.incrementAndGet();
                  try {
                    for (int i = 0; i < words.size(); i++) {
                      time.sleep(TOKEN_DELAY); // the "model" thinking
                      tokensGenerated.incrementAndGet();
                      out.emit(
                          SseEvent.of(Json.write(Map.of("i", i, "text", words.get(i))))
                              .withEvent("token"));
                    }
                  } finally {
                    tokenGenerators.decrementAndGet();
                  }
                })
            .bufferSize(2)
            .build();
    write(
        ctx,
        sse,
        new FinishingSource<>(
            generated,
            () -> draining,
            reason ->
                SseEvent.of(Json.write(Map.of("reason", reason)))
                    .withEvent(reason.equals("completed") ? "done" : "end")));
  }

  /** {@code GET /status/events}: the status snapshot every half second, for the status page. */
  void status(Context ctx, Supplier<Map<String, Object>> snapshot) throws IOException {
    ChunkSource<SseEvent> snapshots =
        ChunkSource.<SseEvent>generator(
                out -> {
                  while (true) {
                    out.emit(SseEvent.of(Json.write(snapshot.get())).withEvent("status"));
                    time.sleep(STATUS_PERIOD);
                  }
                })
            .bufferSize(1)
            .build();
    write(
        ctx,
        sse,
        new FinishingSource<>(
            snapshots,
            () -> draining,
            reason -> SseEvent.of(Json.write(Map.of("reason", reason))).withEvent("end")));
  }

  private <T> void write(Context ctx, StreamWriter<T> writer, ChunkSource<? extends T> source)
      throws IOException {
    lock.lock();
    try {
      if (draining) {
        source.close();
        ctx.header("Retry-After", "1");
        throw new ApiException(503, "the service is shutting down; retry on another instance");
      }
      active++;
    } finally {
      lock.unlock();
    }
    try {
      ctx.status(200);
      ctx.res().setContentType(writer.encoder().contentType());
      ctx.res().setHeader("Cache-Control", "no-cache");
      ctx.res().setHeader("X-Accel-Buffering", "no");
      OutputStream out = ctx.res().getOutputStream();
      StreamResult result = writer.writeTo(out, source);
      if (result.outcome() != StreamResult.Outcome.CLIENT_GONE) {
        // Complete the response (the last chunk) before the stream counts as ended: the drain
        // waits for that count, and the server that stops after it would otherwise cut the
        // response before its end, so the client would lose the last line it was promised.
        out.close();
      }
      LOG.log(
          System.Logger.Level.DEBUG,
          "stream {0} ended: {1} after {2} items",
          ctx.path(),
          result.outcome(),
          result.items());
    } finally {
      lock.lock();
      try {
        active--;
        allEnded.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private static Map<String, Object> tickLine(UpstreamClient.Tick t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "tick");
    m.put("seq", t.seq());
    m.put("symbol", t.symbol());
    m.put("price", t.price());
    return m;
  }

  static List<String> symbols(Context ctx) {
    String raw = Optional.ofNullable(ctx.queryParam("symbols")).orElse("ACME");
    List<String> symbols = Arrays.asList(raw.split(",", -1));
    if (symbols.size() > 10 || !symbols.stream().allMatch(s -> SYMBOL.matcher(s).matches())) {
      throw new ApiException(
          400, "symbols must be 1 to 10 comma-separated tickers of 1-8 capital letters");
    }
    return symbols;
  }

  private static Optional<Long> lastEventId(Context ctx) {
    String raw = ctx.header("Last-Event-ID");
    if (raw == null) {
      raw = ctx.queryParam("lastEventId");
    }
    if (raw == null || raw.isBlank()) {
      return Optional.empty();
    }
    try {
      long id = Long.parseLong(raw.trim());
      if (id < 0) {
        throw new NumberFormatException();
      }
      return Optional.of(id);
    } catch (NumberFormatException e) {
      throw new ApiException(400, "Last-Event-ID must be a tick number, was '" + raw + "'");
    }
  }

  static int intParam(Context ctx, String name, int fallback, int min, int max) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below, with the rule
    }
    throw new ApiException(
        400, name + " must be an integer in [" + min + ", " + max + "], was '" + raw + "'");
  }

  private static List<String> answer(String prompt, int max) {
    String text =
        "Thanks for asking about \""
            + prompt.strip()
            + "\". A resilient service bounds every wait, retries only what is safe to retry,"
            + " sheds load before it drowns, streams its answers piece by piece and stops"
            + " promptly when nobody is listening any more. Virtual threads make the blocking"
            + " style cheap, so each request can be written as plain sequential code.";
    String[] words = text.split("(?<= )");
    return Arrays.asList(words).subList(0, Math.min(max, words.length));
  }
}
