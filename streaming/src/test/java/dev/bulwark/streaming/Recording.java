package dev.bulwark.streaming;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.bulwark.resilience.TimeSource;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** An output stream that records each write call, with the time it happened, and each flush. */
final class Recording extends OutputStream {

  /** One write call. */
  record Write(long nanos, String text) {}

  private final TimeSource time;
  private final List<Write> writes = new ArrayList<>();
  private final ByteArrayOutputStream all = new ByteArrayOutputStream();
  private int flushes;

  Recording(TimeSource time) {
    this.time = time;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    writes.add(new Write(time.nanoTime(), new String(b, off, len, UTF_8)));
    all.write(b, off, len);
  }

  @Override
  public void flush() {
    flushes++;
  }

  List<Write> writes() {
    return writes;
  }

  String text() {
    return all.toString(UTF_8);
  }

  int flushes() {
    return flushes;
  }

  /** A source that replays items at given virtual times, advancing a manual clock as it waits. */
  static final class Scripted<T> implements ChunkSource<T> {
    private final dev.bulwark.resilience.ManualTimeSource time;
    private final List<T> items;
    private final List<Long> arrivals;
    private int next;
    int closes;

    Scripted(dev.bulwark.resilience.ManualTimeSource time, List<T> items, List<Long> arrivals) {
      this.time = time;
      this.items = new ArrayList<>(items);
      this.arrivals = new ArrayList<>(arrivals);
    }

    @Override
    public Poll<T> poll(Duration timeout) {
      if (next == items.size()) {
        return Poll.end();
      }
      long wait = arrivals.get(next) - time.nanoTime();
      long limit = timeout.toNanos();
      if (wait <= 0) {
        return Poll.item(items.get(next++));
      }
      if (wait <= limit) {
        time.advance(Duration.ofNanos(wait));
        return Poll.item(items.get(next++));
      }
      time.advance(timeout);
      return Poll.empty();
    }

    @Override
    public void close() {
      closes++;
    }
  }
}
