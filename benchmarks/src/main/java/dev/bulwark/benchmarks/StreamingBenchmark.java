package dev.bulwark.benchmarks;

import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.Encoders;
import dev.bulwark.streaming.StreamResult;
import dev.bulwark.streaming.StreamWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * NDJSON items through the streaming module's {@link StreamWriter} beside two hand-written loops
 * that write the same bytes: to a discarding {@code OutputStream}, and to a loopback TCP socket
 * drained by a reader thread. One operation is one item (each invocation streams {@value #ITEMS}
 * items), so scores are items per microsecond and B/op is the allocation per item.
 *
 * <ul>
 *   <li>{@code validated}: the fair comparison. A hand-written loop that refuses exactly the items
 *       {@code Encoders.ndjson} refuses (a blank text, a raw CR or LF, an unpaired surrogate), with
 *       the fastest means the JDK offers and no allocation per item ({@link ValidatingLoop}).
 *       Bulwark divided by it is the writer's overhead.
 *   <li>{@code handwritten}: the floor. {@code getBytes} and {@code '\n'}, no check at all, so a
 *       pretty-printed JSON text or a lone surrogate would corrupt the stream. Bulwark divided by
 *       it is the overhead plus the cost of the checks.
 * </ul>
 *
 * <p>All sides start from the same JSON text per item, as an application's JSON library would
 * produce it. {@code discard} uses a writer with its defaults (a flush per item, which a discarding
 * stream ignores); {@code socket} buffers 8 KB and flushes every 64 items on every side.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@OperationsPerInvocation(StreamingBenchmark.ITEMS)
public class StreamingBenchmark {

  static final int ITEMS = 1_000;
  private static final int FLUSH_EVERY = 64;

  private List<String> items;
  private StreamWriter<String> perItem;
  private StreamWriter<String> perBatch;

  /** An output stream that only counts what it is given. */
  static final class Discard extends OutputStream {
    long bytes;

    @Override
    public void write(int b) {
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes += len;
    }
  }

  /** One connected loopback socket per benchmark thread; a reader thread discards what arrives. */
  @State(Scope.Thread)
  public static class Connection {
    final Discard discard = new Discard();
    final ValidatingLoop validating = new ValidatingLoop();
    ServerSocket server;
    Socket client;
    Thread reader;
    OutputStream out;

    @Setup(Level.Trial)
    public void open() throws IOException {
      server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
      Socket accepted = server.accept();
      reader =
          Thread.ofPlatform()
              .daemon()
              .name("loopback-reader")
              .start(
                  () -> {
                    byte[] buffer = new byte[64 * 1024];
                    try (InputStream in = accepted.getInputStream()) {
                      while (in.read(buffer) >= 0) {
                        // discard
                      }
                    } catch (IOException closed) {
                      // the benchmark is over
                    }
                  });
      out = new BufferedOutputStream(client.getOutputStream(), 8 * 1024);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
      client.close();
      reader.join(5_000);
      server.close();
    }
  }

  @Setup
  public void setUp() {
    items = new ArrayList<>(ITEMS);
    for (int i = 0; i < ITEMS; i++) {
      items.add(
          String.format(
              Locale.ROOT,
              "{\"id\":%d,\"symbol\":\"SYM%d\",\"price\":%d.%02d,\"at\":\"2026-11-22T16:%02d:%02dZ\"}",
              i,
              i % 97,
              100 + i % 900,
              i % 100,
              i / 60 % 60,
              i % 60));
    }
    perItem = StreamWriter.builder("perItem").encoder(Encoders.<String>ndjson(s -> s)).build();
    perBatch =
        StreamWriter.builder("perBatch")
            .encoder(Encoders.<String>ndjson(s -> s))
            .flushPerBatch(FLUSH_EVERY)
            .build();
  }

  private static void handwritten(List<String> items, OutputStream out, int flushEvery) {
    try {
      int unflushed = 0;
      for (String item : items) {
        out.write(item.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
        if (++unflushed == flushEvery) {
          out.flush();
          unflushed = 0;
        }
      }
      if (unflushed > 0) {
        out.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The hand-written loop that checks what {@code Encoders.ndjson} checks, written as a careful
   * application would: {@code isBlank}, two vectorised {@code indexOf} scans for CR and LF, then
   * the text copied into a reused {@code char[]} and encoded by a reused UTF-8 encoder that reports
   * an unpaired surrogate ({@code getBytes} would write it as {@code '?'}) into a reused {@code
   * byte[]}, written with its {@code '\n'} in one call. One per benchmark thread: not thread-safe.
   */
  static final class ValidatingLoop {
    private final CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder();
    private char[] chars = new char[0];
    private CharBuffer in = CharBuffer.wrap(chars);
    private byte[] bytes = new byte[1];
    private ByteBuffer out = ByteBuffer.wrap(bytes);

    void write(List<String> items, OutputStream stream, int flushEvery) {
      try {
        int unflushed = 0;
        for (String json : items) {
          int length = encode(json);
          stream.write(bytes, 0, length);
          if (++unflushed == flushEvery) {
            stream.flush();
            unflushed = 0;
          }
        }
        if (unflushed > 0) {
          stream.flush();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private int encode(String json) {
      if (json.isBlank() || json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("not one line of JSON: " + json);
      }
      int n = json.length();
      if (n > chars.length) {
        chars = new char[n];
        in = CharBuffer.wrap(chars);
        bytes = new byte[3 * n + 1];
        out = ByteBuffer.wrap(bytes);
      }
      json.getChars(0, n, chars, 0);
      in.clear().limit(n);
      out.clear();
      utf8.reset();
      if (utf8.encode(in, out, true).isError()) {
        throw new IllegalArgumentException("unpaired surrogate at " + in.position() + ": " + json);
      }
      int length = out.position();
      bytes[length] = '\n';
      return length + 1;
    }
  }

  private static StreamResult checked(StreamResult result) {
    if (result.outcome() != StreamResult.Outcome.COMPLETED) {
      throw new IllegalStateException("the stream did not complete: " + result);
    }
    return result;
  }

  @Benchmark
  public long bulwark_discard(Connection c) {
    checked(perItem.writeTo(c.discard, ChunkSource.of(items)));
    return c.discard.bytes;
  }

  @Benchmark
  public long handwritten_discard(Connection c) {
    handwritten(items, c.discard, 1);
    return c.discard.bytes;
  }

  @Benchmark
  public long validated_discard(Connection c) {
    c.validating.write(items, c.discard, 1);
    return c.discard.bytes;
  }

  @Benchmark
  public StreamResult bulwark_socket(Connection c) {
    return checked(perBatch.writeTo(c.out, ChunkSource.of(items)));
  }

  @Benchmark
  public void validated_socket(Connection c) {
    c.validating.write(items, c.out, FLUSH_EVERY);
  }

  @Benchmark
  public void handwritten_socket(Connection c) {
    handwritten(items, c.out, FLUSH_EVERY);
  }
}
