package dev.bulwark.metrics;

import static dev.bulwark.metrics.Meters.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.RejectedException;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.streaming.ChunkSource;
import dev.bulwark.streaming.Encoders;
import dev.bulwark.streaming.StreamResult;
import dev.bulwark.streaming.StreamWriter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StreamMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ManualTimeSource time = new ManualTimeSource();

  @Test
  void countsStreamsByOutcomeWithTheirItemsBytesAndDurations() throws Exception {
    Bulkhead guard =
        Bulkhead.builder("export-slots").maxConcurrentCalls(1).timeSource(time).build();
    StreamWriter<CharSequence> writer =
        StreamWriter.builder("export")
            .encoder(Encoders.lines())
            .guard(guard)
            .timeSource(time)
            .build();
    MeterBinding binding = BulwarkMetrics.bind(registry, writer);
    AtomicReference<Double> activeWhileWriting = new AtomicReference<>();
    Iterator<CharSequence> twoItems =
        new Iterator<>() {
          int left = 2;

          @Override
          public boolean hasNext() {
            return left > 0;
          }

          @Override
          public CharSequence next() {
            activeWhileWriting.set(value(registry, BulwarkMeter.STREAM_ACTIVE, "name", "export"));
            time.advance(Duration.ofSeconds(1));
            return left-- == 2 ? "a" : "bb";
          }
        };
    StreamResult completed =
        writer.writeTo(new ByteArrayOutputStream(), ChunkSource.fromIterator(twoItems));
    assertThat(completed.outcome()).isEqualTo(StreamResult.Outcome.COMPLETED);
    Iterator<CharSequence> failing =
        List.<CharSequence>of("x").stream()
            .map(
                s -> {
                  throw new UncheckedIOException(new IOException("upstream gone"));
                })
            .map(CharSequence.class::cast)
            .iterator();
    assertThat(
            writer
                .writeTo(new ByteArrayOutputStream(), ChunkSource.fromIterator(failing))
                .outcome())
        .isEqualTo(StreamResult.Outcome.SOURCE_FAILED);
    var held = guard.acquirePermit();
    try {
      assertThatThrownBy(
              () -> writer.writeTo(new ByteArrayOutputStream(), ChunkSource.of(List.of("y"))))
          .isInstanceOf(RejectedException.class);
    } finally {
      held.close();
    }

    assertThat(activeWhileWriting.get()).isEqualTo(1);
    assertThat(value(registry, BulwarkMeter.STREAM_ACTIVE, "name", "export")).isZero();
    assertThat(streams("completed")).isEqualTo(1);
    assertThat(streams("source_failed")).isEqualTo(1);
    assertThat(streams("rejected")).isEqualTo(1);
    assertThat(streams("client_gone")).isZero();
    assertThat(value(registry, BulwarkMeter.STREAM_ITEMS, "name", "export")).isEqualTo(2);
    assertThat(value(registry, BulwarkMeter.STREAM_BYTES, "name", "export"))
        .isEqualTo(5); // a\nbb\n
    var duration =
        registry
            .get(BulwarkMeter.STREAM_DURATION.meterName())
            .tags("name", "export", "outcome", "completed")
            .timer();
    assertThat(duration.count()).isEqualTo(1);
    assertThat(duration.totalTime(java.util.concurrent.TimeUnit.SECONDS))
        .isEqualTo(completed.elapsed().toSeconds());
    binding.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  private double streams(String outcome) {
    return value(registry, BulwarkMeter.STREAM_STREAMS, "name", "export", "outcome", outcome);
  }
}
