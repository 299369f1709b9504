package dev.bulwark.streaming;

import com.sun.net.httpserver.HttpExchange;
import dev.bulwark.resilience.EventSource;
import dev.bulwark.resilience.PermitPolicy;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.Subscription;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.resilience.internal.Listeners;
import dev.bulwark.streaming.internal.Waits;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * Writes a {@link ChunkSource} to a client piece by piece: to an {@link OutputStream}, to the JDK's
 * {@link HttpExchange}, or as a {@code Flow.Publisher<ByteBuffer>}. It encodes each item into one
 * whole frame, flushes, writes heartbeats while the source is quiet, ends the stream on an idle or
 * total timeout or a stalled write, closes the source exactly once on every path, and returns a
 * {@link StreamResult} saying how the stream ended.
 *
 * <pre>{@code
 * StreamWriter<Row> export = StreamWriter.builder("export", Row.class)
 *     .encoder(Encoders.ndjson(row -> mapper.writeValueAsString(row)))
 *     .idleTimeout(Duration.ofSeconds(30))      // upstream hung
 *     .heartbeat(Duration.ofSeconds(15))        // keeps proxies from closing the connection
 *     .writeStallTimeout(Duration.ofSeconds(10)) // client stopped reading / half-open socket
 *     .build();
 *
 * server.createContext("/rows", exchange -> {
 *   StreamResult result = export.writeTo(exchange, rowsFrom(db));
 *   log.info("export ended: {}", result);
 * });
 * }</pre>
 *
 * <p>A writer is immutable and thread-safe; one instance serves any number of concurrent streams.
 * Writing blocks the calling thread (a virtual thread, ideally) until the stream ends. Interrupting
 * that thread ends the stream with {@link StreamResult.Outcome#CANCELLED}.
 *
 * <p><b>Guarding a stream.</b> With {@link Builder#guard(PermitPolicy)}, a circuit breaker or
 * bulkhead decides whether the stream may start at all (a refusal is thrown before anything is
 * written) and hears how it ended: {@code COMPLETED} is reported as a success; {@code
 * SOURCE_FAILED}, {@code IDLE_TIMEOUT} and {@code TOTAL_TIMEOUT} as failures; {@code CLIENT_GONE}
 * and {@code CANCELLED} release the permit without an outcome, since a client that left says
 * nothing about the upstream.
 *
 * @param <T> the item type
 */
public final class StreamWriter<T> implements EventSource<StreamEvent> {

  /** When the writer flushes. */
  public enum Flush {
    /** After every item: lowest latency (token streams, SSE). */
    PER_ITEM,
    /**
     * After {@link Config#flushBatch()} items, or as soon as the source has no item ready: high
     * throughput for exports without holding back a slow trickle.
     */
    PER_BATCH
  }

  /**
   * A writer's configuration, as built.
   *
   * @param name the writer's name, in events and log messages
   * @param idleTimeout the longest wait for an item, if set
   * @param totalTimeout the longest a whole stream may take, if set
   * @param heartbeat how long the stream may be quiet before a heartbeat is written, if set
   * @param writeStallTimeout the longest one write (or a publisher's wait for demand) may take, if
   *     set
   * @param flush when to flush
   * @param flushBatch the most items written between two flushes with {@link Flush#PER_BATCH}
   * @param guard the name of the guarding policy, if any
   */
  public record Config(
      String name,
      Optional<Duration> idleTimeout,
      Optional<Duration> totalTimeout,
      Optional<Duration> heartbeat,
      Optional<Duration> writeStallTimeout,
      Flush flush,
      int flushBatch,
      Optional<String> guard) {}

  /**
   * What a writer's streams have done so far, running ones included: a read-only snapshot for
   * metrics, taken without events per item. Every count only grows, except {@code activeStreams}.
   *
   * @param activeStreams streams running now
   * @param startedStreams streams started since the writer was built (refused ones not counted)
   * @param items items written, by running and ended streams
   * @param bytes bytes written, heartbeats included
   * @param heartbeats heartbeats written
   */
  public record Stats(
      int activeStreams, long startedStreams, long items, long bytes, long heartbeats) {}

  private final Config config;
  private final Encoder<T> encoder;
  private final TimeSource time;
  private final ThreadFactory threadFactory;
  private final Pump.Settings settings;
  private final Listeners<StreamEvent> listeners;
  private final Pump<T> pump;

  private StreamWriter(Builder<T> b) {
    this.config =
        new Config(
            b.name,
            Optional.ofNullable(b.idleTimeout),
            Optional.ofNullable(b.totalTimeout),
            Optional.ofNullable(b.heartbeat),
            Optional.ofNullable(b.writeStallTimeout),
            b.flush,
            b.flushBatch,
            Optional.ofNullable(b.guard).map(PermitPolicy::name));
    this.encoder = b.encoder;
    this.time = b.timeSource;
    this.threadFactory =
        b.threadFactory != null
            ? b.threadFactory
            : Thread.ofVirtual().name("bulwark-stream-" + b.name + "-", 0).factory();
    this.settings = Pump.Settings.of(config, b.guard);
    this.listeners = new Listeners<>("stream writer '" + b.name + "'");
    this.pump = new Pump<>(settings, encoder, time, listeners);
  }

  /**
   * Starts building a writer of items of any type; the {@linkplain Builder#encoder(Encoder)
   * encoder} (required) fixes the item type. Use it when the encoder is already typed: a method
   * reference ({@code Encoders.ndjson(Row::toJson)}), a lambda with a typed parameter, an {@code
   * Encoder<Row>} variable, or an item type that is itself generic ({@code List<Row>} batches). For
   * a lambda with an untyped parameter, use {@link #builder(String, Class)}, which gives the lambda
   * its type.
   *
   * @param name the writer's name, in events and log messages
   * @return a builder; {@link Builder#build()} validates every setting, the name included
   */
  public static Builder<Object> builder(String name) {
    return new Builder<>(name);
  }

  /**
   * Starts building a writer of {@code itemType} items, so that the encoder's lambda needs no
   * types: {@code StreamWriter.builder("export", Row.class).encoder(Encoders.ndjson(row ->
   * row.toJson()))} compiles as it reads.
   *
   * @param name the writer's name, in events and log messages
   * @param itemType the class of the items (only its type is used)
   * @param <T> the item type
   * @return a builder; {@link Builder#build()} validates every setting, the name included
   * @throws NullPointerException if {@code itemType} is null
   */
  public static <T> Builder<T> builder(String name, Class<T> itemType) {
    Checks.notNull(itemType, "itemType");
    return new Builder<>(name);
  }

  /**
   * Returns this writer's configuration.
   *
   * @return the configuration as built
   */
  public Config config() {
    return config;
  }

  /**
   * Returns the encoder.
   *
   * @return the encoder this writer was built with
   */
  public Encoder<T> encoder() {
    return encoder;
  }

  /**
   * Returns live counts of this writer's streams, the running ones included, for metrics that poll:
   * a stream's items and bytes show while it runs, not only in its {@link StreamResult}. Cheap
   * enough to call on every scrape; it costs the streams nothing per item.
   *
   * @return a snapshot of the counts
   */
  public Stats stats() {
    return pump.stats();
  }

  @Override
  public Subscription subscribe(Consumer<? super StreamEvent> listener) {
    return listeners.subscribe(listener);
  }

  /**
   * Streams {@code source} to {@code out} on the calling thread until the stream ends, then closes
   * the source (not the output stream). A failed write or flush means the client has gone.
   *
   * @param out where the frames go
   * @param source the items; closed exactly once, whatever happens
   * @return how the stream ended
   * @throws RejectedException if the guard refused the stream; nothing was written and the source
   *     was closed
   * @throws NullPointerException if an argument is null
   */
  public StreamResult writeTo(OutputStream out, ChunkSource<? extends T> source) {
    Checks.notNull(out, "out");
    Checks.notNull(source, "source");
    return pump.run(source, new OutputSink(out, null));
  }

  /**
   * Streams {@code source} as the body of a 200 response to {@code exchange}: sets the encoder's
   * {@code Content-Type}, {@code Cache-Control: no-cache} and {@code X-Accel-Buffering: no} (so
   * proxies do not buffer), sends the headers for a chunked body ({@code sendResponseHeaders(200,
   * 0)}), streams on the calling thread, and closes the exchange. If the guard refuses the stream,
   * nothing is sent, so the caller can still answer 503.
   *
   * <p><b>How the response ends.</b> Only a {@link StreamResult.Outcome#COMPLETED COMPLETED} stream
   * ends with the terminating zero-length chunk, which tells the client that it has the whole body.
   * Every other outcome ({@code SOURCE_FAILED}, {@code IDLE_TIMEOUT}, {@code TOTAL_TIMEOUT}, {@code
   * CANCELLED}, {@code CLIENT_GONE}) closes the connection without it, so the client sees a cut-off
   * response as an error (the JDK's {@code HttpClient} throws an {@code IOException}; curl reports
   * a transfer closed with outstanding read data) rather than mistaking a truncated export for a
   * finished one. The HTTP status cannot change after the first byte: it stays 200. The JDK's
   * {@code HttpExchange} has no abort, so this closes the exchange while the calling thread's
   * interrupt status is set, which makes the server's socket channel drop the connection instead of
   * writing the last chunk; the thread's interrupt status is restored afterwards.
   *
   * <p>Run the server's handlers on virtual threads: a stalled write is then ended by interrupting
   * the handler thread, which closes the socket.
   *
   * @param exchange the exchange, whose response headers are not sent yet
   * @param source the items; closed exactly once, whatever happens
   * @return how the stream ended
   * @throws RejectedException if the guard refused the stream; no response was sent and the
   *     exchange is still open
   * @throws NullPointerException if an argument is null
   */
  public StreamResult writeTo(HttpExchange exchange, ChunkSource<? extends T> source) {
    Checks.notNull(exchange, "exchange");
    Checks.notNull(source, "source");
    StreamResult result;
    try {
      result = pump.run(source, new OutputSink(exchange.getResponseBody(), exchange));
    } catch (RejectedException refused) {
      throw refused; // nothing was sent: the caller answers, e.g. 503 with Retry-After
    } catch (RuntimeException | Error unexpected) {
      abort(exchange);
      throw unexpected;
    }
    if (result.outcome() == StreamResult.Outcome.COMPLETED) {
      exchange.close(); // the terminating zero-length chunk: the client knows it has everything
    } else {
      abort(exchange);
    }
    return result;
  }

  /*
   * Ends a chunked response so that the client sees an error instead of a whole body.
   *
   * HttpExchange has no abort: close() always writes the terminating zero-length chunk, which
   * tells the client the body is complete. The JDK's server writes to a SocketChannel, which is
   * an interruptible channel: a write by an interrupted thread closes the channel instead of
   * writing (ClosedByInterruptException). So the exchange is closed with this thread's interrupt
   * status set: the last chunk's write fails, the server swallows that failure and drops the
   * connection, and the client reads end-of-stream where the zero-length chunk should be (the
   * JDK's HttpClient throws an IOException, curl reports a transfer closed with outstanding
   * data). The thread's own interrupt status is then put back as it was. A response whose headers
   * were not sent yet (a refusal) never gets here.
   */
  private static void abort(HttpExchange exchange) {
    boolean wasInterrupted = Thread.interrupted();
    Thread.currentThread().interrupt();
    try {
      exchange.close();
    } finally {
      Thread.interrupted();
      if (wasInterrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Returns a publisher that streams {@code source} to one subscriber, honouring its demand: one
   * {@code ByteBuffer} per frame, never more than requested. It starts when subscribed, on a thread
   * of its own (virtual by default). Without demand, nothing is written and heartbeats wait; with a
   * write-stall timeout, a subscriber that requests nothing for that long ends the stream with
   * {@link StreamResult.Outcome#CLIENT_GONE}.
   *
   * <p>Follows the Reactive Streams rules: {@code request(n)} with {@code n <= 0} signals {@code
   * onError(IllegalArgumentException)} (§3.9); {@code cancel()} is idempotent and thread-safe
   * (§3.5) and closes the source; demand adds up to {@code Long.MAX_VALUE}, which means unbounded
   * (§3.17). A second subscriber gets {@code onError(IllegalStateException)}. The subscriber hears
   * {@code onComplete} when the source ends and {@code onError} with the failure for every other
   * outcome except a cancellation.
   *
   * @param source the items; closed exactly once, when the stream ends or is cancelled
   * @return the publisher, with the stream's {@link StreamPublisher#result() result}
   * @throws NullPointerException if {@code source} is null
   */
  public StreamPublisher publisher(ChunkSource<? extends T> source) {
    return new PublisherSink<>(pump, Checks.notNull(source, "source"), time, config, threadFactory);
  }

  @Override
  public String toString() {
    return "StreamWriter[" + config.name() + ", " + encoder + "]";
  }

  /** Writes frames to an output stream, under the stall watchdog if one is configured. */
  private final class OutputSink implements Pump.Sink {
    private final OutputStream out;
    private final HttpExchange exchange;
    private StallWatchdog watchdog;

    OutputSink(OutputStream out, HttpExchange exchange) {
      this.out = out;
      this.exchange = exchange;
    }

    /*
     * The JDK's server only buffers the headers in sendResponseHeaders, and an OutputStream may
     * buffer what the caller wrote before the stream (its own headers): without this flush a quiet
     * source would keep the client from seeing the response start until the first frame. The
     * flush goes through the stall watchdog like any other.
     */
    @Override
    public void open() throws IOException {
      if (settings.writeStallNanos() != Waits.FOREVER) {
        watchdog = new StallWatchdog(time, settings.writeStallNanos(), threadFactory);
      }
      if (exchange != null) {
        exchange.getResponseHeaders().set("Content-Type", encoder.contentType());
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
        exchange.sendResponseHeaders(200, 0);
      }
      flush();
    }

    @Override
    public void write(byte[] frame) throws IOException {
      write(frame, frame.length);
    }

    @Override
    public void write(byte[] buffer, int length) throws IOException {
      if (watchdog == null) {
        out.write(buffer, 0, length);
        return;
      }
      watchdog.begin();
      try {
        out.write(buffer, 0, length);
      } finally {
        if (watchdog.end()) {
          throw stalled();
        }
      }
    }

    @Override
    public void flush() throws IOException {
      if (watchdog == null) {
        out.flush();
        return;
      }
      watchdog.begin();
      try {
        out.flush();
      } finally {
        if (watchdog.end()) {
          throw stalled();
        }
      }
    }

    private WriteStallException stalled() {
      watchdog.close();
      return new WriteStallException("write", config.writeStallTimeout().orElseThrow());
    }

    @Override
    public void release() {
      if (watchdog != null) {
        watchdog.close();
      }
    }
  }

  /**
   * Builds a {@link StreamWriter}; {@link #build()} validates every setting.
   *
   * @param <T> the item type, fixed by {@link #encoder(Encoder)}
   */
  public static final class Builder<T> {
    private final String name;
    private Encoder<T> encoder;
    private Duration idleTimeout;
    private Duration totalTimeout;
    private Duration heartbeat;
    private Duration writeStallTimeout;
    private Flush flush = Flush.PER_ITEM;
    private int flushBatch = 1;
    private PermitPolicy guard;
    private TimeSource timeSource = TimeSource.system();
    private ThreadFactory threadFactory;
    private boolean idleTimeoutSet;
    private boolean totalTimeoutSet;
    private boolean heartbeatSet;
    private boolean writeStallTimeoutSet;
    private boolean guardSet;
    private boolean threadFactorySet;

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets how items become frames (required); see {@link Encoders}. The encoder's item type is
     * bounded by the builder's ({@code Object} from {@link StreamWriter#builder(String)}, the given
     * class from {@link StreamWriter#builder(String, Class)}), which is what gives an untyped
     * lambda in {@code Encoders.ndjson(row -> ...)} its type.
     *
     * @param encoder the encoder
     * @param <U> the item type
     * @return this builder, typed by the encoder's item type
     */
    @SuppressWarnings("unchecked") // a builder holds no item of its type; only the encoder's counts
    public <U extends T> Builder<U> encoder(Encoder<U> encoder) {
      Builder<U> self = (Builder<U>) this;
      self.encoder = encoder;
      return self;
    }

    /**
     * Ends the stream with {@link StreamResult.Outcome#IDLE_TIMEOUT} when the source delivers no
     * item for this long (default: no limit). Heartbeats do not count as items.
     *
     * @param idleTimeout positive
     * @return this builder
     */
    public Builder<T> idleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      this.idleTimeoutSet = true;
      return this;
    }

    /**
     * Ends the stream with {@link StreamResult.Outcome#TOTAL_TIMEOUT} once it has run this long
     * (default: no limit).
     *
     * @param totalTimeout positive
     * @return this builder
     */
    public Builder<T> totalTimeout(Duration totalTimeout) {
      this.totalTimeout = totalTimeout;
      this.totalTimeoutSet = true;
      return this;
    }

    /**
     * Writes the encoder's heartbeat frame when nothing was written for this long (default: no
     * heartbeats). Heartbeats are written only between frames. About 15 s keeps most proxies from
     * closing an idle connection.
     *
     * @param interval positive
     * @return this builder
     */
    public Builder<T> heartbeat(Duration interval) {
      this.heartbeat = interval;
      this.heartbeatSet = true;
      return this;
    }

    /**
     * Ends the stream with {@link StreamResult.Outcome#CLIENT_GONE} when one write or flush takes
     * longer than this (default: no limit): the client stopped reading or the connection is
     * half-open. Costs one watcher thread (virtual) per stream.
     *
     * @param writeStallTimeout positive
     * @return this builder
     */
    public Builder<T> writeStallTimeout(Duration writeStallTimeout) {
      this.writeStallTimeout = writeStallTimeout;
      this.writeStallTimeoutSet = true;
      return this;
    }

    /**
     * Flushes after every item (the default).
     *
     * @return this builder
     */
    public Builder<T> flushPerItem() {
      this.flush = Flush.PER_ITEM;
      this.flushBatch = 1;
      return this;
    }

    /**
     * Flushes after {@code maxItems} items, or whenever the source has no item ready.
     *
     * @param maxItems the most items between two flushes, at least 1
     * @return this builder
     */
    public Builder<T> flushPerBatch(int maxItems) {
      this.flush = Flush.PER_BATCH;
      this.flushBatch = maxItems;
      return this;
    }

    /**
     * Guards every stream with a circuit breaker or bulkhead; see the class comment for how
     * outcomes are reported.
     *
     * @param guard the policy
     * @return this builder
     */
    public Builder<T> guard(PermitPolicy guard) {
      this.guard = guard;
      this.guardSet = true;
      return this;
    }

    /**
     * Sets the time source for timeouts, heartbeats and stall detection (default {@link
     * TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder<T> timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Sets the factory of the threads the writer starts: the stall watcher and a publisher's pump
     * (default: virtual threads).
     *
     * @param threadFactory the factory
     * @return this builder
     */
    public Builder<T> threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = threadFactory;
      this.threadFactorySet = true;
      return this;
    }

    /**
     * Validates the settings and builds the writer.
     *
     * @return the writer
     * @throws NullPointerException if the name or any setting given is null, or no encoder was set
     * @throws IllegalArgumentException if a timeout or interval is zero or negative, {@code
     *     flushPerBatch} is less than 1, or a heartbeat is set with an encoder that has no
     *     heartbeat frame
     */
    public StreamWriter<T> build() {
      Checks.notNull(name, "name");
      Checks.notNull(encoder, "encoder");
      Checks.notNull(timeSource, "timeSource");
      if (idleTimeoutSet) {
        Checks.positive(idleTimeout, "idleTimeout");
      }
      if (totalTimeoutSet) {
        Checks.positive(totalTimeout, "totalTimeout");
      }
      if (heartbeatSet) {
        Checks.positive(heartbeat, "heartbeat");
        Checks.require(
            encoder.heartbeat().length > 0,
            "heartbeat needs an encoder with a heartbeat frame; "
                + encoder
                + " has none (add one with Encoder.withHeartbeat)");
      }
      if (writeStallTimeoutSet) {
        Checks.positive(writeStallTimeout, "writeStallTimeout");
      }
      Checks.atLeast(flushBatch, 1, "flushPerBatch");
      if (guardSet) {
        Checks.notNull(guard, "guard");
      }
      if (threadFactorySet) {
        Checks.notNull(threadFactory, "threadFactory");
      }
      return new StreamWriter<>(this);
    }
  }
}
