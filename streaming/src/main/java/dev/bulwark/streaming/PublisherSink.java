package dev.bulwark.streaming;

import dev.bulwark.resilience.TimeSource;
import dev.bulwark.streaming.internal.Waits;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stream published to one {@link Flow.Subscriber}.
 *
 * <p><b>Design.</b> A pump thread runs the shared {@link Pump} loop; its sink waits for demand
 * before each {@code onNext}, so signals to the subscriber come from that one thread, in order
 * (§1.3). {@code request} and {@code cancel} only change state under a lock and wake the pump:
 * demand adds up and saturates at {@code Long.MAX_VALUE} (§3.17); {@code request(n <= 0)} is
 * recorded and turned into {@code onError(IllegalArgumentException)} by the pump (§3.9); {@code
 * cancel} is idempotent (§3.5) and, if the pump is waiting on the source, interrupts it so the
 * source is closed promptly. The interrupt is sent only while the pump is inside the source's poll,
 * never while it runs subscriber code.
 */
final class PublisherSink<T> implements StreamPublisher, Pump.Sink {

  private static final System.Logger LOG = System.getLogger("dev.bulwark.streaming");

  private final Pump<T> pump;
  private final ChunkSource<? extends T> source;
  private final TimeSource time;
  private final StreamWriter.Config config;
  private final ThreadFactory threadFactory;
  private final long stallNanos;
  private final CompletableFuture<StreamResult> result = new CompletableFuture<>();
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private Flow.Subscriber<? super ByteBuffer> subscriber;
  private Thread pumpThread; // guarded by lock
  private boolean polling; // guarded by lock
  private long demand; // guarded by lock
  private boolean cancelled; // guarded by lock
  private IllegalArgumentException badRequest; // guarded by lock

  PublisherSink(
      Pump<T> pump,
      ChunkSource<? extends T> source,
      TimeSource time,
      StreamWriter.Config config,
      ThreadFactory threadFactory) {
    this.pump = pump;
    this.source = source;
    this.time = time;
    this.config = config;
    this.threadFactory = threadFactory;
    this.stallNanos = config.writeStallTimeout().map(Waits::nanos).orElse(Waits.FOREVER);
  }

  @Override
  public CompletionStage<StreamResult> result() {
    return result.minimalCompletionStage();
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
    if (s == null) {
      throw new NullPointerException("subscriber"); // §1.9
    }
    if (!subscribed.compareAndSet(false, true)) {
      s.onSubscribe(new Noop());
      s.onError(
          new IllegalStateException(
              "stream '" + config.name() + "' allows one subscriber and already has one"));
      return;
    }
    this.subscriber = s;
    try {
      s.onSubscribe(new Demand());
    } catch (RuntimeException | Error broken) {
      // §2.13: the subscription counts as cancelled; nothing starts and nothing more is signalled
      lock.lock();
      try {
        cancelled = true;
      } finally {
        lock.unlock();
      }
      try {
        source.close();
      } finally {
        result.complete(
            new StreamResult(
                StreamResult.Outcome.CANCELLED, 0, 0, 0, Duration.ZERO, Optional.of(broken)));
        subscriberFailed("onSubscribe", broken);
      }
      return;
    }
    Thread thread = threadFactory.newThread(this::runPump);
    lock.lock();
    try {
      pumpThread = thread;
    } finally {
      lock.unlock();
    }
    thread.start();
  }

  private void runPump() {
    StreamResult r;
    try {
      r = pump.run(new Watched(), this);
    } catch (RuntimeException | Error notStarted) {
      // A RejectedException from the guard, or a guard that failed: the pump closed the source.
      r =
          new StreamResult(
              StreamResult.Outcome.CANCELLED, 0, 0, 0, Duration.ZERO, Optional.of(notStarted));
      signal(() -> subscriber.onError(notStarted), "onError");
      result.complete(r);
      return;
    }
    IllegalArgumentException bad;
    boolean wasCancelled;
    lock.lock();
    try {
      bad = badRequest;
      wasCancelled = cancelled;
      cancelled = true; // no more signals after a terminal one
    } finally {
      lock.unlock();
    }
    Thread.interrupted(); // a cancel's interrupt ends with the pump
    if (bad != null) {
      r =
          new StreamResult(
              StreamResult.Outcome.CANCELLED,
              r.items(),
              r.bytes(),
              r.heartbeats(),
              r.elapsed(),
              Optional.of(bad));
      signal(() -> subscriber.onError(bad), "onError");
    } else if (r.outcome() == StreamResult.Outcome.COMPLETED) {
      signal(subscriber::onComplete, "onComplete");
    } else if (!wasCancelled) {
      StreamResult.Outcome outcome = r.outcome();
      Throwable failure =
          r.failure().orElseGet(() -> new IllegalStateException("stream ended: " + outcome));
      signal(() -> subscriber.onError(failure), "onError");
    }
    result.complete(r);
  }

  /**
   * Sends a terminal signal. A subscriber that throws breaks §2.13; the stream has ended anyway, so
   * the failure is logged rather than left to kill the pump thread.
   */
  private void signal(Runnable terminal, String method) {
    try {
      terminal.run();
    } catch (RuntimeException broken) {
      subscriberFailed(method, broken);
    }
  }

  private void subscriberFailed(String method, Throwable failure) {
    LOG.log(
        Level.WARNING,
        () ->
            "the subscriber of stream '"
                + config.name()
                + "' threw from "
                + method
                + " (Reactive Streams rule 2.13); its subscription is cancelled",
        failure);
  }

  @Override
  public void write(byte[] buffer, int length) throws InterruptedException, WriteStallException {
    write(Arrays.copyOf(buffer, length)); // the pump reuses the buffer; the subscriber may keep it
  }

  @Override
  public void write(byte[] frame) throws InterruptedException, WriteStallException {
    lock.lockInterruptibly();
    try {
      long left = stallNanos;
      while (demand == 0 && !cancelled && badRequest == null) {
        if (left <= 0) {
          throw new WriteStallException(
              "demand from the subscriber", config.writeStallTimeout().orElseThrow());
        }
        left = Waits.await(time, lock, changed, left);
      }
      if (cancelled || badRequest != null) {
        throw new CancellationException("the subscriber cancelled");
      }
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
    } finally {
      lock.unlock();
    }
    try {
      subscriber.onNext(ByteBuffer.wrap(frame).asReadOnlyBuffer());
    } catch (RuntimeException broken) {
      // §2.13: the subscription counts as cancelled, so no onError follows; the stream ends
      lock.lock();
      try {
        cancelled = true;
      } finally {
        lock.unlock();
      }
      subscriberFailed("onNext", broken);
      throw broken;
    }
  }

  @Override
  public void flush() {}

  /** The subscriber's handle: demand and cancellation. */
  private final class Demand implements Flow.Subscription {
    @Override
    public void request(long n) {
      lock.lock();
      try {
        if (cancelled) {
          return; // §3.6
        }
        if (n <= 0) {
          if (badRequest == null) {
            badRequest =
                new IllegalArgumentException(
                    "request(n) needs n > 0, was " + n + " (Reactive Streams rule 3.9)");
          }
          wakePump();
          return;
        }
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n; // §3.17
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void cancel() {
      lock.lock();
      try {
        if (cancelled) {
          return;
        }
        cancelled = true;
        wakePump();
      } finally {
        lock.unlock();
      }
    }

    private void wakePump() {
      changed.signalAll();
      if (polling && pumpThread != null && pumpThread != Thread.currentThread()) {
        pumpThread.interrupt();
      }
    }
  }

  /** The source, with the pump marked as polling so that a cancel may interrupt it. */
  private final class Watched implements ChunkSource<T> {
    @Override
    public Poll<T> poll(Duration timeout) throws Exception {
      lock.lock();
      try {
        if (cancelled || badRequest != null) {
          throw new CancellationException("the subscriber cancelled");
        }
        polling = true;
      } finally {
        lock.unlock();
      }
      try {
        @SuppressWarnings("unchecked")
        Poll<T> poll = (Poll<T>) source.poll(timeout);
        return poll;
      } finally {
        lock.lock();
        try {
          polling = false;
          if (cancelled || badRequest != null) {
            Thread.interrupted();
          }
        } finally {
          lock.unlock();
        }
      }
    }

    @Override
    public void close() {
      source.close();
    }

    @Override
    public String toString() {
      return source.toString();
    }
  }

  /** The subscription of a refused second subscriber. */
  private static final class Noop implements Flow.Subscription {
    @Override
    public void request(long n) {}

    @Override
    public void cancel() {}
  }
}
