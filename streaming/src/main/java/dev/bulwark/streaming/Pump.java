package dev.bulwark.streaming;

import dev.bulwark.resilience.Permit;
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
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;

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

  /** What {@link #poll} returns at the end of the stream; no source can hand it as an item. */
  private static final Object END = new Object();

  /** What {@link #poll} returns when no item came within the wait. */
  private static final Object EMPTY = new Object();

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

  private final StreamWriter<T> writer;
  private final StreamWriter.Config config;
  private final Encoder<T> encoder;
  private final TextEncoder<T> text; // the one-line text formats, encoded into a reused buffer
  private final TimeSource time;
  private final Listeners<StreamEvent> listeners;
  private final long idleNanos;
  private final long totalNanos;
  private final long heartbeatNanos;
  private final byte[] heartbeat;
  private final int flushEvery; // items between two flushes: 1 with PER_ITEM

  Pump(StreamWriter<T> writer, Encoder<T> encoder, TimeSource time, Listeners<StreamEvent> ls) {
    this.writer = writer;
    this.config = writer.config();
    this.encoder = encoder;
    this.text = encoder instanceof TextEncoder<T> t ? t : null;
    this.time = time;
    this.listeners = ls;
    this.idleNanos = config.idleTimeout().map(Waits::nanos).orElse(Waits.FOREVER);
    this.totalNanos = config.totalTimeout().map(Waits::nanos).orElse(Waits.FOREVER);
    this.heartbeatNanos = config.heartbeat().map(Waits::nanos).orElse(Waits.FOREVER);
    this.heartbeat = encoder.heartbeat();
    this.flushEvery = config.flush() == StreamWriter.Flush.PER_ITEM ? 1 : config.flushBatch();
  }

  /**
   * Takes the guard's permit (closing the source and rethrowing if refused), streams, and reports.
   */
  StreamResult run(ChunkSource<? extends T> source, Sink sink) {
    Permit permit = null;
    if (writer.guard() != null) {
      try {
        permit = writer.guard().acquirePermit();
      } catch (RejectedException refused) {
        closeSource(source);
        if (!listeners.isEmpty()) {
          listeners.publish(new StreamEvent.Rejected(config.name(), refused));
        }
        throw refused;
      } catch (RuntimeException | Error broken) {
        closeSource(source); // a guard that fails instead of refusing must not leak the source
        throw broken;
      }
    }
    if (!listeners.isEmpty()) {
      listeners.publish(new StreamEvent.Started(config.name()));
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
        listeners.publish(new StreamEvent.Ended(config.name(), result));
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
          () -> "the guard of stream '" + config.name() + "' failed to take the outcome",
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

  private StreamResult stream(ChunkSource<? extends T> source, Sink sink) {
    long start = time.nanoTime();
    long items = 0;
    long bytes = 0;
    long heartbeats = 0;
    Outcome outcome = null;
    Throwable failure = null;
    int unflushed = 0;
    // sources that never wait hand items without a Poll; text formats reuse one frame buffer
    DirectSource<? extends T> direct = source instanceof DirectSource<? extends T> d ? d : null;
    TextFrames frames = text != null ? new TextFrames() : null;
    try {
      sink.open();
      long opened = time.nanoTime(); // the idle and heartbeat clocks start once headers are out
      long totalDeadline = start + totalNanos;
      long idleDeadline = opened + idleNanos;
      long heartbeatDue = opened + heartbeatNanos;
      // With no timeout and no heartbeat nothing reads the time between items: skip the two clock
      // reads per item, which cost more than the rest of the loop.
      boolean clocked =
          totalNanos != Waits.FOREVER
              || idleNanos != Waits.FOREVER
              || heartbeatNanos != Waits.FOREVER;
      while (true) {
        long now = clocked ? time.nanoTime() : 0L;
        if (totalNanos != Waits.FOREVER && now - totalDeadline >= 0) {
          outcome = Outcome.TOTAL_TIMEOUT;
          failure = new StreamTimeoutException(outcome, config.totalTimeout().orElseThrow());
          break;
        }
        long wait = Waits.FOREVER;
        if (totalNanos != Waits.FOREVER) {
          wait = Math.min(wait, totalDeadline - now);
        }
        if (idleNanos != Waits.FOREVER) {
          wait = Math.min(wait, idleDeadline - now);
        }
        if (heartbeatNanos != Waits.FOREVER) {
          wait = Math.min(wait, heartbeatDue - now);
        }
        Object next = null;
        if (unflushed > 0) {
          // flush per batch: keep writing while items are ready, flush when the source pauses
          next = poll(source, direct, 0L);
          if (next == EMPTY) {
            sink.flush();
            unflushed = 0;
            next = null;
          }
        }
        if (next == null) {
          next = poll(source, direct, wait);
        }
        if (next == END) {
          if (unflushed > 0) {
            sink.flush();
          }
          outcome = Outcome.COMPLETED;
        } else if (next == EMPTY) {
          // Only a poll that found nothing can end a quiet period: an item that is ready
          // always goes first, however late this thread got to run.
          now = time.nanoTime();
          if (idleNanos != Waits.FOREVER && now - idleDeadline >= 0) {
            outcome = Outcome.IDLE_TIMEOUT;
            failure = new StreamTimeoutException(outcome, config.idleTimeout().orElseThrow());
          } else if (heartbeatNanos != Waits.FOREVER && now - heartbeatDue >= 0) {
            sink.write(heartbeat);
            sink.flush();
            unflushed = 0;
            bytes += heartbeat.length;
            heartbeats++;
            heartbeatDue = time.nanoTime() + heartbeatNanos;
          }
        } else {
          @SuppressWarnings("unchecked") // poll returns the source's items and the two markers
          T item = (T) next;
          if (frames != null) {
            int length = encodeText(frames, item);
            sink.write(frames.bytes(), length);
            bytes += length;
          } else {
            byte[] frame = encode(item);
            sink.write(frame);
            bytes += frame.length;
          }
          items++;
          now = clocked ? time.nanoTime() : 0L;
          idleDeadline = now + idleNanos;
          heartbeatDue = now + heartbeatNanos;
          unflushed++;
          if (unflushed >= flushEvery) {
            sink.flush();
            unflushed = 0;
          }
        }
        if (outcome != null) {
          break;
        }
      }
    } catch (SourceFailure f) {
      failure = f.getCause();
      outcome =
          switch (failure) {
            case StreamTimeoutException timeout -> timeout.outcome();
            case InterruptedException interrupted -> {
              Thread.currentThread().interrupt();
              yield Outcome.CANCELLED;
            }
            case CancellationException cancelled -> Outcome.CANCELLED;
            default -> Outcome.SOURCE_FAILED;
          };
    } catch (WriteStallException stalled) {
      outcome = Outcome.CLIENT_GONE;
      failure = stalled;
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      outcome = Outcome.CANCELLED;
      failure = interrupted;
    } catch (CancellationException cancelled) {
      outcome = Outcome.CANCELLED;
      failure = cancelled;
    } catch (IOException | RuntimeException writeFailed) {
      // A write that failed because this thread was interrupted (an InterruptedIOException, a
      // channel closed by the interrupt, a virtual thread's socket closed by it) is a
      // cancellation by the application, not a client that left.
      if (writeFailed instanceof InterruptedIOException
          || writeFailed instanceof ClosedByInterruptException
          || Thread.currentThread().isInterrupted()) {
        Thread.currentThread().interrupt();
        outcome = Outcome.CANCELLED;
      } else {
        outcome = Outcome.CLIENT_GONE;
      }
      failure = writeFailed;
    } finally {
      if (unflushed > 0
          && (outcome == Outcome.SOURCE_FAILED
              || outcome == Outcome.IDLE_TIMEOUT
              || outcome == Outcome.TOTAL_TIMEOUT)) {
        flushQuietly(sink); // the whole frames written so far still reach the client
      }
      sink.release();
      closeSource(source);
    }
    return new StreamResult(
        outcome,
        items,
        bytes,
        heartbeats,
        Duration.ofNanos(time.nanoTime() - start),
        Optional.ofNullable(failure));
  }

  /**
   * Polls once: returns the item itself, {@link #END} or {@link #EMPTY}. A {@link DirectSource} is
   * asked without the {@link Poll} wrapper (it never waits, so the wait is not converted).
   */
  private Object poll(
      ChunkSource<? extends T> source, DirectSource<? extends T> direct, long waitNanos)
      throws SourceFailure {
    if (Thread.interrupted()) {
      // A source that never waits (an iterator) and an output that never blocks would not see an
      // interrupt at all; the writer must still stop (the SourceFailure path keeps the interrupt).
      throw new SourceFailure(
          new InterruptedException("stream '" + config.name() + "' was interrupted"));
    }
    try {
      if (direct != null) {
        Object item = direct.nextOrNull();
        return item == null ? END : item;
      }
      Poll<? extends T> poll = source.poll(Waits.duration(waitNanos));
      return switch (poll) {
        case Poll.Item<? extends T> item -> item.value();
        case Poll.End<? extends T> end -> END;
        case Poll.Empty<? extends T> empty -> EMPTY;
        case null ->
            throw new NullPointerException("source " + source + " returned null from poll");
      };
    } catch (Exception | LinkageError | AssertionError e) {
      throw new SourceFailure(e);
    }
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
          Level.WARNING, () -> "closing the source of stream '" + config.name() + "' failed", e);
    }
  }
}
