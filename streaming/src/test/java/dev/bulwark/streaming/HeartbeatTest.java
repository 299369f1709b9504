package dev.bulwark.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.resilience.ManualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Heartbeats come only after the interval passed with nothing written, and never inside a frame.
 */
class HeartbeatTest {

  private static final Duration INTERVAL = Duration.ofSeconds(15);

  @Property(tries = 40)
  void heartbeatsFillOnlyTheQuietGapsBetweenWholeEvents(@ForAll long seed) {
    ManualTimeSource time = new ManualTimeSource();
    Random random = new Random(seed);
    List<SseEvent> events = new ArrayList<>();
    List<Long> arrivals = new ArrayList<>();
    long at = 0;
    for (int i = 0; i < 60; i++) {
      // gaps from 0 to 50 s: some well under the interval, some several intervals long
      at += (long) (random.nextDouble() * random.nextDouble() * 50e9);
      arrivals.add(at);
      events.add(SseEvent.of("item " + i + "\nsecond line").withId(Integer.toString(i)));
    }
    Recording out = new Recording(time);
    Recording.Scripted<SseEvent> source = new Recording.Scripted<>(time, events, arrivals);
    StreamWriter<SseEvent> writer =
        StreamWriter.builder("sse")
            .encoder(Encoders.sse())
            .heartbeat(INTERVAL)
            .timeSource(time)
            .build();

    StreamResult result = writer.writeTo(out, source);

    assertThat(result.outcome()).isEqualTo(StreamResult.Outcome.COMPLETED);
    assertThat(result.items()).isEqualTo(60);
    assertThat(source.closes).isEqualTo(1);
    long interval = INTERVAL.toNanos();
    long lastWrite = 0;
    int itemIndex = 0;
    long heartbeats = 0;
    for (Recording.Write w : out.writes()) {
      // every write call is exactly one whole frame: one event, or one heartbeat comment
      SseParser frame = SseParser.parse(w.text());
      assertThat(w.text()).endsWith("\n\n");
      if (w.text().startsWith(":")) {
        heartbeats++;
        assertThat(frame.events()).isEmpty();
        assertThat(w.nanos() - lastWrite).as("quiet time before a heartbeat").isEqualTo(interval);
        assertThat(arrivals.get(itemIndex))
            .as("no item was waiting when the heartbeat was written")
            .isGreaterThan(w.nanos());
      } else {
        assertThat(frame.events()).hasSize(1);
        assertThat(frame.events().get(0).lastEventId()).isEqualTo(Integer.toString(itemIndex));
        assertThat(w.nanos())
            .as("an item is written when it arrives")
            .isEqualTo(arrivals.get(itemIndex));
        itemIndex++;
      }
      assertThat(w.nanos() - lastWrite)
          .as("never quiet for longer than the interval")
          .isLessThanOrEqualTo(interval);
      lastWrite = w.nanos();
    }
    assertThat(heartbeats).isEqualTo(result.heartbeats());
    List<SseParser.Event> parsed = SseParser.parse(out.text()).events();
    assertThat(parsed).hasSize(60);
    for (int i = 0; i < 60; i++) {
      assertThat(parsed.get(i).data()).isEqualTo("item " + i + "\nsecond line");
    }
  }

  @Test
  void aSteadySourceFasterThanTheIntervalGetsNoHeartbeat() {
    ManualTimeSource time = new ManualTimeSource();
    List<String> items = new ArrayList<>();
    List<Long> arrivals = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      items.add("{\"n\":" + i + "}");
      arrivals.add(i * 14_999_999_999L);
    }
    Recording out = new Recording(time);
    StreamResult result =
        StreamWriter.builder("ndjson")
            .encoder(Encoders.<String>ndjson(s -> s))
            .heartbeat(INTERVAL)
            .timeSource(time)
            .build()
            .writeTo(out, new Recording.Scripted<>(time, items, arrivals));
    assertThat(result.heartbeats()).isZero();
    assertThat(out.text()).doesNotContain("\n\n");
  }
}
