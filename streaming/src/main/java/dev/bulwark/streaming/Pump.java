package dev.bulwark.streaming;

import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.PermitPolicy;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.internal.Listeners;
import dev.bulwark.streaming.StreamResult.Outcome;
import dev.bulwark.streaming.internal.DirectSource;
import dev.bulwark.streaming.internal.Waits;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serial;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The loop shared by every writer: pull an item with a bounded wait, encode it whole, write it,
 * flush as configured; between items, write heartbeats and watch the timeouts.
 *
 * <p><b>Design.</b> One thread pulls and writes, so frames can never interleave: a heartbeat is
 * written only when a poll came back empty, that is between two whole frames. Each poll waits at
 * most until the earliest of three deadlines (total timeout, idle timeout, next heartbeat), all
 * read from the {@link TimeSource}, so a quiet source costs no thread and no timer, and a test
 * drives it in virtual time. The heartbeat deadline moves with every write (item or heartbeat), so
 * heartbeats are sent only after the heartbeat interval passed with nothing written, not on a fixed
 * clock. The idle timeout and the heartbeat are decided only after a poll came back empty, so an
 * item that is already waiting always goes first, however late the writing thread got to run (the
 * first request of a cold JVM can spend longer than the idle timeout sending its headers). An item
 * is encoded before any of its bytes are written; if encoding fails, the stream ends after the
 * previous whole frame. Whatever happens, the source is closed exactly once, here, and the guard's
 * permit is handed back with the outcome.
 *
 * <p><b>The per-item path</b> allocates nothing for the standard text formats read from an
 * in-memory source, and takes no lock: a {@link DirectSource} (a list, an iterator) hands its items
 * without a {@link Poll.Item} around each, and a {@link TextEncoder} ({@code Encoders.lines},
 * {@code Encoders.ndjson}) has its text encoded into one buffer per stream ({@link TextFrames}),
 * checked and ended with {@code '\n'}, then written with one {@code write} call per frame, as every
 * other encoder's frame is (two writes per line would cost an unbuffered socket a second packet per
 * item). Both are recognised once, by type; any other source or encoder takes the general path,
 * with the same bytes and the same outcomes.
 */
final class Pump<T> {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.streaming");

  /** Where frames go: an output stream, a subscriber. */
  interface Sink {
    /** Called once before the first frame (send the response headers). */
    default void open() throws IOException {}

    /** Writes one whole frame; the sink may keep the array. */
    void write(byte[] frame) throws IOException, InterruptedException;

    /**
     * Writes one whole frame: the first {@code length} bytes of {@code buffer}, which the pump
     * reuses for the next frame, so a sink that keeps the bytes must copy them.
     */
    void write(byte[] buffer, int length) throws IOException, InterruptedException;

    /** Pushes written frames to the client. */
    void flush() throws IOException, InterruptedException;

    /** Called once when the stream has ended, before the source is closed. */
    default void release() {}
  }

  /** The source or the encoder failed; carries the cause to the outcome. */
  private static final class SourceFailure extends Exception {
    @Serial private static final long serialVersionUID = 1L;

    SourceFailure(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /**
   * What the pump needs of a writer's configuration, with the durations turned into nanoseconds
   * once ({@link Waits#FOREVER} where unset).
   *
   * @param config the writer's configuration, for names and messages
   * @param guard the guarding policy, or null
   * @param idleNanos the idle timeout
   * @param totalNanos the total timeout
   * @param heartbeatNanos the heartbeat interval
   * @param writeStallNanos the write-stall timeout
   * @param flushEvery items between two flushes: 1 with {@link StreamWriter.Flush#PER_ITEM}
   */
  record Settings(
      StreamWriter.Config config,
      PermitPolicy guard,
      long idleNanos,
      long totalNanos,
      long heartbeatNanos,
      long writeStallNanos,
      int flushEvery) {

    static Settings of(StreamWriter.Config config, PermitPolicy guard) {
      return new Settings(
          config,
          guard,
          config.idleTimeout().map(Waits::nanos).orElse(Waits.FOREVER),
          config.totalTimeout().map(Waits::nanos).orElse(Waits.FOREVER),
          config.heartbeat().map(Waits::nanos).orElse(Waits.FOREVER),
          config.writeStallTimeout().map(Waits::nanos).orElse(Waits.FOREVER),
          config.flush() == StreamWriter.Flush.PER_ITEM ? 1 : config.flushBatch());
    }

    String name() {
      return config.name();
    }

    /** Whether anything reads the time between items. */
    boolean clocked() {
      return totalNanos != Waits.FOREVER
          || idleNanos != Waits.FOREVER
          || heartbeatNanos != Waits.FOREVER;
    }
  }

  private static final VarHandle ITEMS = runCount("items");
  private static final VarHandle BYTES = runCount("bytes");
  private static final VarHandle HEARTBEATS = runCount("heartbeats");

  private static VarHandle runCount(String name) {
    try {
      return MethodHandles.privateLookupIn(Pump.Run.class, MethodHandles.lookup())
          .findVarHandle(Pump.Run.class, name, long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Settings settings;
  private final Encoder<T> encoder;
  private final TextEncoder<T> text; // the one-line text formats, encoded into a reused buffer
  private final TimeSource time;
  private final Listeners<StreamEvent> listeners;
  private final byte[] heartbeat;
  // the frame buffer of the last stream that ended, for the next one: no buffers per stream
  private final AtomicReference<TextFrames> spareFrames = new AtomicReference<>();
  // the live counts: changed once per stream under the lock; each run's own counts per item
  private final ReentrantLock statsLock = new ReentrantLock();
  private final Set<Run> active = new HashSet<>(); // guarded by statsLock
  private long started; // guarded by statsLock
  private long endedItems; // guarded by statsLock
  private long endedBytes; // guarded by statsLock
  private long endedHeartbeats; // guarded by statsLock

  Pump(Settings settings, Encoder<T> encoder, TimeSource time, Listeners<StreamEvent> listeners) {
    this.settings = settings;
    this.encoder = encoder;
    this.text = encoder instanceof TextEncoder<T> t ? t : null;
    this.time = time;
    this.listeners = listeners;
    this.heartbeat = encoder.heartbeat();
  }

  /**
   * Takes the guard's permit (closing the source and rethrowing if refused), streams, and reports.
   */
  StreamResult run(ChunkSource<? extends T> source, Sink sink) {
    Permit permit = null;
    if (settings.guard() != null) {
      try {
        permit = settings.guard().acquirePermit();
      } catch (RejectedException refused) {
        closeSource(source);
        if (!listeners.isEmpty()) {
          listeners.publish(new StreamEvent.Rejected(settings.name(), refused));
        }
        throw refused;
      } catch (RuntimeException | Error broken) {
        closeSource(source); // a guard that fails instead of refusing must not leak the source
        throw broken;
      }
    }
    if (!listeners.isEmpty()) {
      listeners.publish(new StreamEvent.Started(settings.name()));
    }
    StreamResult result = null;
    try {
      result = stream(source, sink);
      return result;
    } finally {
      if (permit != null) {
        report(permit, result);
      }
      if (result != null && !listeners.isEmpty()) {
        listeners.publish(new StreamEvent.Ended(settings.name(), result));
      }
    }
  }

  /*
   * The guard sees the stream as one call. COMPLETED is a success. SOURCE_FAILED and the timeouts
   * say something about the upstream (it failed, hung, or was too slow), so they count as
   * failures. CLIENT_GONE and CANCELLED say nothing about the upstream, so the permit is released
   * without an outcome, as a circuit breaker would treat an ignored call.
   */
  private void report(Permit permit, StreamResult result) {
    try {
      tell(permit, result);
    } catch (RuntimeException | LinkageError | AssertionError e) {
      // the stream has ended and the client has its answer; a guard that cannot take the outcome
      // is logged like a throwing listener, not turned into the stream's failure
      LOG.log(
          Level.WARNING,
          () -> "the guard of stream '" + settings.name() + "' failed to take the outcome",
          e);
    }
  }

  private static void tell(Permit permit, StreamResult result) {
    try {
      if (result == null) {
        return;
      }
      switch (result.outcome()) {
        case COMPLETED -> permit.onSuccess();
        case SOURCE_FAILED, IDLE_TIMEOUT, TOTAL_TIMEOUT ->
            permit.onFailure(
                result
                    .failure()
                    .orElseGet(() -> new IllegalStateException(result.outcome().name())));
        case CLIENT_GONE, CANCELLED -> {}
      }
    } finally {
      permit.close();
    }
  }

  /*
   * The live counts. A running stream's counts live in its Run, written only by the writing thread
   * with opaque stores (a plain store on the common platforms: nothing is added per item but the
   * promise that a reader on another thread sees whole, increasing values). The writer-wide totals
   * move from the Run into the ended-stream sums and the Run leaves the active set in one step
   * under the lock, which the snapshot takes too, so a snapshot never counts a stream twice or
   * loses one: every count it reports only grows.
   */
  StreamWriter.Stats stats() {
    statsLock.lock();
    try {
      long items = endedItems;
      long bytes = endedBytes;
      long heartbeats = endedHeartbeats;
      for (Run run : active) {
        items += (long) ITEMS.getOpaque(run);
        bytes += (long) BYTES.getOpaque(run);
        heartbeats += (long) HEARTBEATS.getOpaque(run);
      }
      return new StreamWriter.Stats(active.size(), started, items, bytes, heartbeats);
    } finally {
      statsLock.unlock();
    }
  }

  private void begin(Run run) {
    statsLock.lock();
    try {
      active.add(run);
      started++;
    } finally {
      statsLock.unlock();
    }
  }

  private void finish(Run run) {
    statsLock.lock();
    try {
      if (active.remove(run)) {
        endedItems += run.items;
        endedBytes += run.bytes;
        endedHeartbeats += run.heartbeats;
      }
    } finally {
      statsLock.unlock();
    }
  }

  private StreamResult stream(ChunkSource<? extends T> source, Sink sink) {
    Run run = new Run(source, sink);
    begin(run);
    try {
      run.loop();
    } catch (SourceFailure f) {
      run.failure = f.getCause();
      run.outcome =
          switch (run.failure) {
            case StreamTimeoutException timeout -> timeout.outcome();
            case InterruptedException interrupted -> {
              Thread.currentThread().interrupt();
              yield Outcome.CANCELLED;
            }
            case CancellationException cancelled -> Outcome.CANCELLED;
            default -> Outcome.SOURCE_FAILED;
          };
    } catch (WriteStallException stalled) {
      run.end(Outcome.CLIENT_GONE, stalled);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      run.end(Outcome.CANCELLED, interrupted);
    } catch (CancellationException cancelled) {
      run.end(Outcome.CANCELLED, cancelled);
    } catch (IOException | RuntimeException writeFailed) {
      // A write that failed because this thread was interrupted (an InterruptedIOException, a
      // channel closed by the interrupt, a virtual thread's socket closed by it) is a
      // cancellation by the application, not a client that left.
      if (writeFailed instanceof InterruptedIOException
          || writeFailed instanceof ClosedByInterruptException
          || Thread.currentThread().isInterrupted()) {
        Thread.currentThread().interrupt();
        run.end(Outcome.CANCELLED, writeFailed);
      } else {
        run.end(Outcome.CLIENT_GONE, writeFailed);
      }
    } finally {
      if (run.unflushed > 0
          && (run.outcome == Outcome.SOURCE_FAILED
              || run.outcome == Outcome.IDLE_TIMEOUT
              || run.outcome == Outcome.TOTAL_TIMEOUT)) {
        flushQuietly(sink); // the whole frames written so far still reach the client
      }
      sink.release();
      closeSource(source);
      finish(run);
      if (run.frames != null) {
        spareFrames.set(run.frames.reusable()); // all written: the next stream may take it
      }
    }
    return run.result();
  }

  /** What the poll-and-decide step tells the write step to do next. */
  private enum Step {
    /** Write {@link Run#item}. */
    ITEM,
    /** Flush: the source has nothing ready and a batch is unflushed. */
    FLUSH,
    /** Write a heartbeat. */
    HEARTBEAT,
    /** Poll again: a wait ended with nothing to do. */
    WAIT,
    /** The stream has ended; {@link Run#outcome} says how. */
    END
  }

  /**
   * One stream's state, and its loop in two steps: {@link #decide} polls the source and decides
   * what comes next from the clock and the deadlines; {@link #perform} writes it. Only {@code
   * decide} reads the source, only {@code perform} touches the sink (except the flush of a batch
   * when the source paused, which {@code decide} asks for).
   */
  private final class Run {
    private final ChunkSource<? extends T> source;
    // sources that never wait hand items without a Poll; text formats reuse one frame buffer
    private final DirectSource<? extends T> direct;
    private final TextFrames frames;
    private final Sink sink;
    private final boolean clocked;
    private final long start;
    private long totalDeadline;
    private long idleDeadline;
    private long heartbeatDue;
    private long items;
    private long bytes;
    private long heartbeats;
    private int unflushed;
    private T item; // the item decide() took, for perform() to write
    private Outcome outcome;
    private Throwable failure;

    Run(ChunkSource<? extends T> source, Sink sink) {
      this.source = source;
      this.direct = source instanceof DirectSource<? extends T> d ? d : null;
      this.frames = text == null ? null : keptOrNew(spareFrames.getAndSet(null));
      this.sink = sink;
      // With no timeout and no heartbeat nothing reads the time between items: the two clock
      // reads per item would cost more than the rest of the loop.
      this.clocked = settings.clocked();
      this.start = time.nanoTime();
    }

    void end(Outcome outcome, Throwable failure) {
      this.outcome = outcome;
      this.failure = failure;
    }

    void loop() throws SourceFailure, IOException, InterruptedException {
      sink.open();
      long opened = time.nanoTime(); // the idle and heartbeat clocks start once headers are out
      totalDeadline = start + settings.totalNanos();
      idleDeadline = opened + settings.idleNanos();
      heartbeatDue = opened + settings.heartbeatNanos();
      if (direct != null && !clocked) {
        drain();
        return;
      }
      Step step;
      do {
        step = decide();
        perform(step);
      } while (step != Step.END);
    }

    /**
     * The loop for a source that never waits when nothing reads the clock: no deadline can pass and
     * no poll can come back empty, so it is {@link #decide} and {@link #perform} without the
     * deadlines and without the steps, each item written as soon as it is taken. It keeps the
     * per-item path short enough for the JIT to compile it as one loop.
     */
    private void drain() throws SourceFailure, IOException, InterruptedException {
      for (T next = nextDirect(); next != null; next = nextDirect()) {
        write(next);
      }
      completed();
      perform(Step.END);
    }

    /** {@link #poll} for a {@link DirectSource}: the next item, or null at the end. */
    private T nextDirect() throws SourceFailure {
      checkInterrupt();
      try {
        return direct.nextOrNull();
      } catch (Exception | LinkageError | AssertionError e) {
        throw new SourceFailure(e);
      }
    }

    /** Polls the source with a wait bounded by the deadlines and decides the next step. */
    private Step decide() throws SourceFailure {
      long now = clocked ? time.nanoTime() : 0L;
      if (settings.totalNanos() != Waits.FOREVER && now - totalDeadline >= 0) {
        end(
            Outcome.TOTAL_TIMEOUT,
            new StreamTimeoutException(
                Outcome.TOTAL_TIMEOUT, settings.config().totalTimeout().orElseThrow()));
        return Step.END;
      }
      if (unflushed > 0) {
        // flush per batch: keep writing while items are ready, flush when the source pauses
        Step ready = poll(0L);
        return ready == Step.WAIT ? Step.FLUSH : ready;
      }
      Step polled = poll(waitNanos(now));
      if (polled != Step.WAIT) {
        return polled;
      }
      // Only a poll that found nothing can end a quiet period: an item that is ready always goes
      // first, however late this thread got to run.
      now = time.nanoTime();
      if (settings.idleNanos() != Waits.FOREVER && now - idleDeadline >= 0) {
        end(
            Outcome.IDLE_TIMEOUT,
            new StreamTimeoutException(
                Outcome.IDLE_TIMEOUT, settings.config().idleTimeout().orElseThrow()));
        return Step.END;
      }
      if (settings.heartbeatNanos() != Waits.FOREVER && now - heartbeatDue >= 0) {
        return Step.HEARTBEAT;
      }
      return Step.WAIT;
    }

    /** How long a poll may wait: until the earliest deadline. */
    private long waitNanos(long now) {
      long wait = Waits.FOREVER;
      if (settings.totalNanos() != Waits.FOREVER) {
        wait = Math.min(wait, totalDeadline - now);
      }
      if (settings.idleNanos() != Waits.FOREVER) {
        wait = Math.min(wait, idleDeadline - now);
      }
      if (settings.heartbeatNanos() != Waits.FOREVER) {
        wait = Math.min(wait, heartbeatDue - now);
      }
      return wait;
    }

    /** Writes what {@link #decide} chose. */
    private void perform(Step step) throws SourceFailure, IOException, InterruptedException {
      switch (step) {
        case ITEM -> write(item);
        case FLUSH -> {
          sink.flush();
          unflushed = 0;
        }
        case HEARTBEAT -> {
          sink.write(heartbeat);
          sink.flush();
          unflushed = 0;
          BYTES.setOpaque(this, bytes + heartbeat.length);
          HEARTBEATS.setOpaque(this, heartbeats + 1);
          heartbeatDue = time.nanoTime() + settings.heartbeatNanos();
        }
        case END -> {
          if (outcome == Outcome.COMPLETED && unflushed > 0) {
            sink.flush();
            unflushed = 0;
          }
        }
        case WAIT -> {}
      }
    }

    private void write(T value) throws SourceFailure, IOException, InterruptedException {
      item = null;
      if (frames != null) {
        int length = encodeText(frames, value);
        sink.write(frames.bytes(), length);
        BYTES.setOpaque(this, bytes + length);
      } else {
        byte[] frame = encode(value);
        sink.write(frame);
        BYTES.setOpaque(this, bytes + frame.length);
      }
      ITEMS.setOpaque(this, items + 1);
      long now = clocked ? time.nanoTime() : 0L;
      idleDeadline = now + settings.idleNanos();
      heartbeatDue = now + settings.heartbeatNanos();
      unflushed++;
      if (unflushed >= settings.flushEvery()) {
        sink.flush();
        unflushed = 0;
      }
    }

    /**
     * Polls once: {@link Step#ITEM} with the item in {@link #item}, {@link Step#END} at the end of
     * the source, or {@link Step#WAIT} when no item came within the wait. A {@link DirectSource} is
     * asked without the {@link Poll} wrapper (it never waits, so the wait is not converted).
     */
    private Step poll(long waitNanos) throws SourceFailure {
      checkInterrupt();
      try {
        if (direct != null) {
          T next = direct.nextOrNull();
          return next == null ? completed() : ready(next);
        }
        Poll<? extends T> poll = source.poll(Waits.duration(waitNanos));
        return switch (poll) {
          case Poll.Item<? extends T> ready -> ready(ready.value());
          case Poll.End<? extends T> end -> completed();
          case Poll.Empty<? extends T> empty -> Step.WAIT;
          case null ->
              throw new NullPointerException("source " + source + " returned null from poll");
        };
      } catch (Exception | LinkageError | AssertionError e) {
        throw new SourceFailure(e);
      }
    }

    /**
     * A source that never waits (an iterator) and an output that never blocks would not see an
     * interrupt at all; the writer must still stop (the SourceFailure path keeps the interrupt).
     */
    private void checkInterrupt() throws SourceFailure {
      if (Thread.interrupted()) {
        throw new SourceFailure(
            new InterruptedException("stream '" + settings.name() + "' was interrupted"));
      }
    }

    private Step ready(T next) {
      item = next;
      return Step.ITEM;
    }

    private Step completed() {
      outcome = Outcome.COMPLETED;
      return Step.END;
    }

    StreamResult result() {
      return new StreamResult(
          outcome,
          items,
          bytes,
          heartbeats,
          Duration.ofNanos(time.nanoTime() - start),
          Optional.ofNullable(failure));
    }
  }

  private static TextFrames keptOrNew(TextFrames kept) {
    return kept != null ? kept : new TextFrames();
  }

  private int encodeText(TextFrames frames, T item) throws SourceFailure {
    try {
      String line = text.text(item);
      return frames.encode(line, text.what());
    } catch (Exception | LinkageError | AssertionError e) {
      throw new SourceFailure(e);
    }
  }

  private byte[] encode(T item) throws SourceFailure {
    try {
      byte[] frame = encoder.encode(item);
      if (frame == null) {
        throw new NullPointerException("encoder " + encoder + " returned null");
      }
      return frame;
    } catch (Exception | LinkageError | AssertionError e) {
      throw new SourceFailure(e);
    }
  }

  private void flushQuietly(Sink sink) {
    try {
      sink.flush();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException gone) {
      // the stream has ended for its own reason; a client that is gone too changes nothing
    }
  }

  private void closeSource(ChunkSource<?> source) {
    try {
      source.close();
    } catch (RuntimeException | LinkageError | AssertionError e) {
      LOG.log(
          Level.WARNING, () -> "closing the source of stream '" + settings.name() + "' failed", e);
    }
  }
}
