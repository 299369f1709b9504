package dev.bulwark.streaming;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.resilience.backoff.Backoff;
import dev.bulwark.resilience.internal.Checks;
import dev.bulwark.streaming.internal.Waits;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A source that survives failures of its upstream: when the upstream fails, it closes it, waits a
 * {@link Backoff} delay and opens it again from the position of the last item it delivered, so the
 * consumer sees every item exactly once.
 *
 * <pre>{@code
 * ChunkSource<Event> events = ResumingSource.<Event, Long>builder(
 *         after -> feed.open(after.orElse(-1L)),   // items strictly after the position
 *         Event::offset)                           // each item's position
 *     .startAfter(lastEventIdFromClient)           // SSE Last-Event-ID, if the client sent one
 *     .backoff(Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(5)).build())
 *     .maxResumes(5)
 *     .build();
 * }</pre>
 *
 * <p><b>Design.</b> The position is the application's: an offset, a row id, an event id; the opener
 * must return the items strictly after the position it is given (or from the start when given
 * none). Because the position is taken from the last item <em>delivered</em> (returned by {@link
 * #poll}), an item the failed upstream had read but not delivered is read again, and an item
 * already delivered is never asked for again: no loss, no duplicate. While it waits out a backoff
 * delay, {@link #poll} returns {@link Poll.Empty} when the caller's timeout is shorter, so a writer
 * keeps sending heartbeats. The limit counts resumes in a row without a delivered item in between;
 * once an item gets through, the count and the backoff start afresh, so a long stream can ride out
 * many separate outages but a dead upstream is given up on. Interrupts and cancellations are never
 * resumed.
 *
 * @param <T> the item type
 * @param <P> the position type
 */
public final class ResumingSource<T, P> implements ChunkSource<T> {

  /**
   * Opens the upstream after a position.
   *
   * @param <T> the item type
   * @param <P> the position type
   */
  @FunctionalInterface
  public interface Opener<T, P> {
    /**
     * Opens the upstream.
     *
     * @param after the position of the last item delivered, or empty to start from the beginning
     * @return a source of the items strictly after {@code after}
     * @throws Exception if the upstream cannot be opened; this counts as a failure to resume from
     */
    ChunkSource<T> open(Optional<P> after) throws Exception;
  }

  private final Opener<T, P> opener;
  private final Function<? super T, ? extends P> positionOf;
  private final Backoff backoff;
  private final int maxResumes;
  private final Predicate<? super Exception> resumeOn;
  private final TimeSource time;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ChunkSource<T> current;
  private volatile P position;
  private Backoff.Sequence delays;
  private int failuresInARow;
  private volatile int resumes;
  private boolean waiting;
  private long reopenAt;

  private ResumingSource(Builder<T, P> b) {
    this.opener = b.opener;
    this.positionOf = b.positionOf;
    this.backoff = b.backoff;
    this.maxResumes = b.maxResumes;
    this.resumeOn = b.resumeOn;
    this.time = b.timeSource;
    this.position = b.startAfter;
    this.delays = backoff.sequence();
  }

  /**
   * Starts building a resuming source.
   *
   * @param opener opens the upstream after a position
   * @param positionOf the position of an item
   * @param <T> the item type
   * @param <P> the position type
   * @return a builder; {@link Builder#build()} validates every setting, the arguments included
   */
  public static <T, P> Builder<T, P> builder(
      Opener<T, P> opener, Function<? super T, ? extends P> positionOf) {
    return new Builder<>(opener, positionOf);
  }

  /**
   * Returns how many times the upstream was re-opened after a failure.
   *
   * @return the number of resumes so far
   */
  public int resumes() {
    return resumes;
  }

  /**
   * Returns the position of the last item delivered (or the start position).
   *
   * @return the position, or empty if no item was delivered and no start was given
   */
  public Optional<P> position() {
    return Optional.ofNullable(position);
  }

  @Override
  public Poll<T> poll(Duration timeout) throws Exception {
    if (closed.get()) {
      throw new IllegalStateException("source is closed");
    }
    Waits.Timer timer = new Waits.Timer(time, Waits.nanos(timeout));
    while (true) {
      ChunkSource<T> source = current;
      if (source == null) {
        if (waiting) {
          long left = reopenAt - time.nanoTime();
          if (left > 0) {
            long nap = Math.min(left, timer.remaining());
            if (nap <= 0) {
              return Poll.empty();
            }
            time.sleep(Duration.ofNanos(nap));
            if (reopenAt - time.nanoTime() > 0) {
              return Poll.empty();
            }
          }
          waiting = false;
        }
        try {
          source = opener.open(Optional.ofNullable(position));
          if (source == null) {
            throw new NullPointerException("opener returned no source");
          }
        } catch (InterruptedException | CancellationException stop) {
          throw stop;
        } catch (Exception failure) {
          failed(failure);
          continue;
        }
        current = source;
        if (closed.get()) {
          source.close();
          throw new IllegalStateException("source is closed");
        }
      }
      Poll<T> poll;
      try {
        poll = source.poll(Waits.duration(timer.remaining()));
      } catch (InterruptedException | CancellationException stop) {
        throw stop;
      } catch (Exception failure) {
        failed(failure);
        continue;
      }
      if (poll instanceof Poll.Item<T>(T item)) {
        P p = positionOf.apply(item);
        if (p == null) {
          throw new NullPointerException("positionOf returned null for an item");
        }
        position = p;
        if (failuresInARow > 0) {
          failuresInARow = 0;
          delays = backoff.sequence();
        }
      }
      return poll;
    }
  }

  private void failed(Exception failure) throws Exception {
    ChunkSource<T> failed = current;
    current = null;
    if (failed != null) {
      try {
        failed.close();
      } catch (RuntimeException closeFailed) {
        // a dead connection often fails to close too; that must not stop the resume
        failure.addSuppressed(closeFailed);
      }
    }
    if (!resumeOn.test(failure) || failuresInARow >= maxResumes) {
      throw failure;
    }
    failuresInARow++;
    resumes = resumes + 1; // only the consumer thread writes it
    reopenAt = time.nanoTime() + delays.nextNanos();
    waiting = true;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      ChunkSource<T> source = current;
      if (source != null) {
        source.close();
      }
    }
  }

  /**
   * Builds a {@link ResumingSource}.
   *
   * @param <T> the item type
   * @param <P> the position type
   */
  public static final class Builder<T, P> {
    private final Opener<T, P> opener;
    private final Function<? super T, ? extends P> positionOf;
    private P startAfter;
    private boolean startAfterSet;
    private Backoff backoff =
        Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5)).build();
    private int maxResumes = 3;
    private Predicate<? super Exception> resumeOn = e -> true;
    private TimeSource timeSource = TimeSource.system();

    private Builder(Opener<T, P> opener, Function<? super T, ? extends P> positionOf) {
      this.opener = opener;
      this.positionOf = positionOf;
    }

    /**
     * Starts after this position instead of from the beginning: the {@code Last-Event-ID} a
     * reconnecting SSE client sent, the offset a client asked for.
     *
     * @param position the position
     * @return this builder
     */
    public Builder<T, P> startAfter(P position) {
      this.startAfter = position;
      this.startAfterSet = true;
      return this;
    }

    /**
     * Sets the delays before re-opening (default exponential from 100 ms up to 5 s).
     *
     * @param backoff the backoff
     * @return this builder
     */
    public Builder<T, P> backoff(Backoff backoff) {
      this.backoff = backoff;
      return this;
    }

    /**
     * Sets how many times in a row the upstream may be re-opened without delivering an item in
     * between (default 3); zero never resumes.
     *
     * @param maxResumes zero or more
     * @return this builder
     */
    public Builder<T, P> maxResumes(int maxResumes) {
      this.maxResumes = maxResumes;
      return this;
    }

    /**
     * Sets which failures are resumed (default: every exception; interrupts and cancellations never
     * are).
     *
     * @param resumeOn the test
     * @return this builder
     */
    public Builder<T, P> resumeOn(Predicate<? super Exception> resumeOn) {
      this.resumeOn = resumeOn;
      return this;
    }

    /**
     * Sets the time source for the backoff delays (default {@link TimeSource#system()}).
     *
     * @param timeSource the time source
     * @return this builder
     */
    public Builder<T, P> timeSource(TimeSource timeSource) {
      this.timeSource = timeSource;
      return this;
    }

    /**
     * Validates the settings and builds the source; the upstream is opened on the first poll.
     *
     * @return the source
     * @throws IllegalArgumentException if {@code maxResumes} is negative
     * @throws NullPointerException if an argument of {@code builder} or any setting given is null
     */
    public ResumingSource<T, P> build() {
      Checks.notNull(opener, "opener");
      Checks.notNull(positionOf, "positionOf");
      if (startAfterSet) {
        Checks.notNull(startAfter, "startAfter");
      }
      Checks.notNull(backoff, "backoff");
      Checks.atLeast(maxResumes, 0, "maxResumes");
      Checks.notNull(resumeOn, "resumeOn");
      Checks.notNull(timeSource, "timeSource");
      return new ResumingSource<>(this);
    }
  }
}
