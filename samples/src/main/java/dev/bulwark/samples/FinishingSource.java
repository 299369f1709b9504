package dev.bulwark.samples;

import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.Poll;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Ends a stream with a last, whole item that says why it ended: {@code completed} when the source
 * ended, {@code shutdown} once the service is draining, {@code upstream-failed} when the source
 * failed for good. So a client never has to guess whether a stream that stopped was finished.
 *
 * <p>It polls the source in short slices so that a drain is noticed within {@link #SLICE} even
 * while the source is quiet.
 */
final class FinishingSource<T> implements ChunkSource<T> {

  static final Duration SLICE = Duration.ofMillis(100);

  private static final System.Logger LOG = System.getLogger("dev.bulwark.samples.streams");

  private final ChunkSource<T> source;
  private final BooleanSupplier draining;
  private final Function<String, T> last;
  private boolean finished;

  FinishingSource(ChunkSource<T> source, BooleanSupplier draining, Function<String, T> last) {
    this.source = source;
    this.draining = draining;
    this.last = last;
  }

  @Override
  public Poll<T> poll(Duration timeout) throws Exception {
    if (finished) {
      return Poll.end();
    }
    if (draining.getAsBoolean()) {
      return finish("shutdown");
    }
    Poll<T> poll;
    try {
      poll = source.poll(timeout.compareTo(SLICE) < 0 ? timeout : SLICE);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "stream source failed for good: {0}", e.toString());
      return finish("upstream-failed");
    }
    return poll instanceof Poll.End<T> ? finish("completed") : poll;
  }

  private Poll<T> finish(String reason) {
    finished = true;
    return Poll.item(last.apply(reason));
  }

  @Override
  public void close() {
    source.close();
  }
}
