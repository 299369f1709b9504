package dev.bulwark.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * A million NDJSON items to a reader slower than the producer: the library never holds more than
 * its configured buffer. (Heap use is measured in the benchmarks, not asserted here.)
 */
class ConstantMemoryTest {

  private static final int ITEMS = 1_000_000 * Integer.getInteger("bulwark.stress.scale", 1);
  private static final int BUFFER = 64;

  /** Counts and discards bytes, checksumming each write several times to be a slow reader. */
  static final class SlowDiscardingStream extends OutputStream {
    final AtomicLong bytes = new AtomicLong();
    final CRC32 crc = new CRC32();

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      for (int i = 0; i < 8; i++) {
        crc.update(b, off, len);
      }
      bytes.addAndGet(len);
    }
  }

  @Test
  void aMillionItemsToASlowReaderStayWithinTheBuffer() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          AtomicInteger cleanUps = new AtomicInteger();
          AtomicLong maxAheadOfWriter = new AtomicLong();
          AtomicLong produced = new AtomicLong();
          BufferedSource<Long> source =
              ChunkSource.<Long>generator(
                      out -> {
                        try {
                          for (long i = 0; i < ITEMS; i++) {
                            out.emit(i);
                            produced.incrementAndGet();
                          }
                        } finally {
                          cleanUps.incrementAndGet();
                        }
                      })
                  .bufferSize(BUFFER)
                  .build();
          AtomicLong written = new AtomicLong();
          ChunkSource<Long> watched =
              source.map(
                  i -> {
                    written.incrementAndGet();
                    maxAheadOfWriter.accumulateAndGet(produced.get() - written.get(), Math::max);
                    return i;
                  });
          SlowDiscardingStream out = new SlowDiscardingStream();
          StreamResult result =
              StreamWriter.builder("export")
                  .encoder(
                      Encoders.<Long>ndjson(
                          i -> "{\"id\":" + i + ",\"name\":\"row " + i + "\",\"ok\":true}"))
                  .flushPerBatch(256)
                  .build()
                  .writeTo(out, watched);

          assertThat(result.outcome()).isEqualTo(StreamResult.Outcome.COMPLETED);
          assertThat(result.items()).isEqualTo(ITEMS);
          assertThat(result.bytes()).isEqualTo(out.bytes.get());
          assertThat(source.highWaterMark())
              .as("the buffer filled up (the producer was held back) but never beyond its size")
              .isEqualTo(BUFFER);
          // the producer is never more than the buffer (plus the item in hand) ahead of the writer
          assertThat(maxAheadOfWriter.get()).isLessThanOrEqualTo(BUFFER + 1);
          assertThat(cleanUps).hasValue(1);
        });
  }
}
