package dev.bulwark.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import dev.bulwark.resilience.circuitbreaker.CircuitBreaker;
import dev.bulwark.resilience.circuitbreaker.CircuitOpenException;
import dev.bulwark.resilience.circuitbreaker.SlidingWindow;
import dev.bulwark.streaming.StreamResult.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whole streams guarded by the core's real CircuitBreaker and Bulkhead through their permits. */
class GuardedStreamTest {

  private final ManualTimeSource time = new ManualTimeSource();

  private StreamWriter.Builder<Integer> ndjson() {
    return StreamWriter.builder("rows")
        .encoder(Encoders.<Integer>ndjson(i -> "{\"n\":" + i + "}"))
        .timeSource(time);
  }

  private static ChunkSource<Integer> failingUpstream() {
    return ChunkSource.<Integer>generator(
            out -> {
              out.emit(1);
              throw new IOException("upstream reset");
            })
        .build();
  }

  @Test
  void failedStreamsOpenTheBreakerAndTheNextStreamIsRefusedBeforeAnyByteIsWritten() {
    CircuitBreaker breaker =
        CircuitBreaker.builder("export")
            .slidingWindow(SlidingWindow.count(2))
            .minimumCalls(2)
            .openDuration(Duration.ofSeconds(30))
            .timeSource(time)
            .build();
    StreamWriter<Integer> writer = ndjson().guard(breaker).build();

    for (int i = 0; i < 2; i++) {
      StreamResult result = writer.writeTo(new ByteArrayOutputStream(), failingUpstream());
      assertThat(result.outcome()).isEqualTo(Outcome.SOURCE_FAILED);
    }
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThatThrownBy(() -> writer.writeTo(out, ChunkSource.of(List.of(1, 2, 3))))
        .isInstanceOf(CircuitOpenException.class)
        .hasMessageContaining("circuit 'export' is OPEN");
    assertThat(out.size()).isZero();

    time.advance(Duration.ofSeconds(30).plusNanos(1)); // as resilience4j: strictly after
    StreamResult probe = writer.writeTo(new ByteArrayOutputStream(), ChunkSource.of(List.of(1)));
    assertThat(probe.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(breaker.metrics().bufferedCalls()).isEqualTo(1);
  }

  @Test
  void aClientThatGoesAwayIsNotCountedAgainstTheUpstream() {
    CircuitBreaker breaker =
        CircuitBreaker.builder("export")
            .slidingWindow(SlidingWindow.count(2))
            .minimumCalls(1)
            .timeSource(time)
            .build();
    StreamWriter<Integer> writer = ndjson().guard(breaker).build();
    OutputStream gone =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("broken pipe");
          }
        };

    StreamResult result = writer.writeTo(gone, ChunkSource.of(List.of(1, 2, 3)));

    assertThat(result.outcome()).isEqualTo(Outcome.CLIENT_GONE);
    assertThat(breaker.metrics().bufferedCalls()).isZero();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void aBulkheadPermitIsHeldForTheWholeStreamAndReturnedAfterIt() {
    Bulkhead bulkhead = Bulkhead.builder("exports").maxConcurrentCalls(1).build();
    StreamWriter<Integer> writer = ndjson().guard(bulkhead).build();
    int[] permitsDuringStream = new int[1];
    ChunkSource<Integer> source =
        ChunkSource.<Integer>generator(
                out -> {
                  permitsDuringStream[0] = bulkhead.availablePermits();
                  out.emit(1);
                })
            .build();

    StreamResult result = writer.writeTo(new ByteArrayOutputStream(), source);

    assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    assertThat(permitsDuringStream[0]).isZero();
    assertThat(bulkhead.availablePermits()).isEqualTo(1);
  }
}
