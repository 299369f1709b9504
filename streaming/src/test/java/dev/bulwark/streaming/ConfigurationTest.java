package dev.bulwark.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.resilience.ManualTimeSource;
import dev.bulwark.resilience.bulkhead.Bulkhead;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad setting, and the exact message it is refused with. */
class ConfigurationTest {

  private static StreamWriter.Builder<CharSequence> writer() {
    return StreamWriter.builder("t").encoder(Encoders.lines());
  }

  static Stream<Arguments> badSettings() {
    Duration minus = Duration.ofMillis(-5);
    return Stream.of(
        bad(
            "negative idle timeout",
            () -> writer().idleTimeout(minus).build(),
            IllegalArgumentException.class,
            "idleTimeout must be positive, was -5ms"),
        bad(
            "zero total timeout",
            () -> writer().totalTimeout(Duration.ZERO).build(),
            IllegalArgumentException.class,
            "totalTimeout must be positive, was 0s"),
        bad(
            "negative heartbeat",
            () -> writer().heartbeat(minus).build(),
            IllegalArgumentException.class,
            "heartbeat must be positive, was -5ms"),
        bad(
            "heartbeat without a heartbeat frame",
            () -> writer().heartbeat(Duration.ofSeconds(1)).build(),
            IllegalArgumentException.class,
            "heartbeat needs an encoder with a heartbeat frame; Encoders.lines() has none (add one"
                + " with Encoder.withHeartbeat)"),
        bad(
            "negative write-stall timeout",
            () -> writer().writeStallTimeout(minus).build(),
            IllegalArgumentException.class,
            "writeStallTimeout must be positive, was -5ms"),
        bad(
            "flush batch below 1",
            () -> writer().flushPerBatch(0).build(),
            IllegalArgumentException.class,
            "flushPerBatch must be at least 1, was 0"),
        bad(
            "no encoder",
            () -> StreamWriter.builder("t").build(),
            NullPointerException.class,
            "encoder"),
        bad(
            "null name",
            () -> StreamWriter.builder(null).encoder(Encoders.lines()).build(),
            NullPointerException.class,
            "name"),
        bad(
            "null time source",
            () -> writer().timeSource(null).build(),
            NullPointerException.class,
            "timeSource"),
        bad(
            "null idle timeout",
            () -> writer().idleTimeout(null).build(),
            NullPointerException.class,
            "idleTimeout"),
        bad(
            "generator buffer below 1",
            () -> ChunkSource.generator(out -> {}).bufferSize(0).build(),
            IllegalArgumentException.class,
            "bufferSize must be at least 1, was 0"),
        bad(
            "publisher buffer below 1",
            () -> ChunkSource.fromPublisher(s -> {}).bufferSize(-1).build(),
            IllegalArgumentException.class,
            "bufferSize must be at least 1, was -1"),
        bad(
            "null channel name",
            () -> Channel.builder(null).build(),
            NullPointerException.class,
            "name"),
        bad(
            "null item type",
            () -> StreamWriter.builder("t", null),
            NullPointerException.class,
            "itemType"),
        bad(
            "null context propagator",
            () -> ChunkSource.generator(out -> {}).contextPropagator(null).build(),
            NullPointerException.class,
            "contextPropagator"),
        bad(
            "channel capacity below 1",
            () -> Channel.builder("test").capacity(0).build(),
            IllegalArgumentException.class,
            "capacity must be at least 1, was 0"),
        bad(
            "negative take",
            () -> ChunkSource.of(List.of("a")).take(-1),
            IllegalArgumentException.class,
            "maxItems must be at least 0, was -1"),
        bad(
            "batch of zero",
            () -> ChunkSource.of(List.of("a")).batch(0, Duration.ofSeconds(1)),
            IllegalArgumentException.class,
            "maxItems must be at least 1, was 0"),
        bad(
            "negative batch delay",
            () -> ChunkSource.of(List.of("a")).batch(10, minus),
            IllegalArgumentException.class,
            "maxDelay must be positive, was -5ms"),
        bad(
            "negative idle timeout operator",
            () -> ChunkSource.of(List.of("a")).idleTimeout(minus, new ManualTimeSource()),
            IllegalArgumentException.class,
            "idleTimeout must be positive, was -5ms"),
        bad(
            "negative max resumes",
            () ->
                ResumingSource.builder(after -> ChunkSource.of(List.of()), x -> x)
                    .maxResumes(-1)
                    .build(),
            IllegalArgumentException.class,
            "maxResumes must be at least 0, was -1"),
        bad(
            "SSE id with a newline",
            () -> SseEvent.of("data").withId("1\n"),
            IllegalArgumentException.class,
            "SSE id must not contain CR or LF, was \"1\\n\" (line break at index 1)"),
        bad(
            "null item sent to a channel",
            () -> Channel.builder("test").build().offer(null),
            NullPointerException.class,
            "item"),
        bad("null item from a source", () -> Poll.item(null), NullPointerException.class, "item"),
        bad(
            "send after close",
            () -> {
              Channel<String> c = Channel.<String>builder("test").build();
              c.close();
              return c.offer("x");
            },
            IllegalStateException.class,
            "channel is closed; no item can be sent after close()"));
  }

  private static Arguments bad(
      String name, Supplier<?> action, Class<? extends Throwable> type, String message) {
    return Arguments.of(name, action, type, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSettings")
  void badSettingIsRefusedWithAClearMessage(
      String name, Supplier<?> action, Class<? extends Throwable> type, String message) {
    assertThatThrownBy(action::get).isInstanceOf(type).hasMessage(message);
  }

  /**
   * The one rule for nulls in every builder of the module (as in resilience-core): the factory and
   * the setters take whatever they are given, and {@code build()} refuses a null with a {@link
   * NullPointerException} naming the setting.
   */
  static Stream<Arguments> nullSettings() {
    ThreadFactory threads = Thread.ofVirtual().factory();
    return Stream.of(
        isNull("StreamWriter", "name", () -> StreamWriter.builder(null).encoder(Encoders.lines())),
        isNull("StreamWriter", "encoder", () -> StreamWriter.builder("t").encoder(null)),
        isNull("StreamWriter", "idleTimeout", () -> writer().idleTimeout(null)),
        isNull("StreamWriter", "totalTimeout", () -> writer().totalTimeout(null)),
        isNull("StreamWriter", "heartbeat", () -> writer().heartbeat(null)),
        isNull("StreamWriter", "writeStallTimeout", () -> writer().writeStallTimeout(null)),
        isNull("StreamWriter", "guard", () -> writer().guard(null)),
        isNull("StreamWriter", "timeSource", () -> writer().timeSource(null)),
        isNull("StreamWriter", "threadFactory", () -> writer().threadFactory(null)),
        isNull("Channel", "timeSource", () -> Channel.builder("test").timeSource(null)),
        isNull("generator", "body", () -> ChunkSource.generator(null)),
        isNull("generator", "timeSource", () -> ChunkSource.generator(out -> {}).timeSource(null)),
        isNull(
            "generator",
            "threadFactory",
            () -> ChunkSource.generator(out -> {}).threadFactory(null)),
        isNull("fromPublisher", "publisher", () -> ChunkSource.fromPublisher(null)),
        isNull(
            "fromPublisher",
            "timeSource",
            () -> ChunkSource.fromPublisher(s -> {}).timeSource(null)),
        isNull("ResumingSource", "opener", () -> ResumingSource.builder(null, x -> x)),
        isNull(
            "ResumingSource",
            "positionOf",
            () -> ResumingSource.builder(after -> ChunkSource.of(List.of()), null)),
        isNull("ResumingSource", "startAfter", () -> resuming().startAfter(null)),
        isNull("ResumingSource", "backoff", () -> resuming().backoff(null)),
        isNull("ResumingSource", "resumeOn", () -> resuming().resumeOn(null)),
        isNull("ResumingSource", "timeSource", () -> resuming().timeSource(null)),
        // and with every setting given, each builds
        Arguments.of(
            "all given",
            (Supplier<Object>)
                () -> writer().guard(Bulkhead.ofDefaults("b")).threadFactory(threads).build(),
            null));
  }

  private static ResumingSource.Builder<Object, Object> resuming() {
    return ResumingSource.builder(after -> ChunkSource.of(List.of()), x -> x);
  }

  /** {@code configure} sets the null (which must not throw); its builder's build() must. */
  private static Arguments isNull(String builder, String setting, Supplier<?> configure) {
    Supplier<Object> build =
        () -> {
          Object b;
          try {
            b = configure.get();
          } catch (RuntimeException e) {
            throw new AssertionError(builder + ": a null " + setting + " was refused at once", e);
          }
          try {
            return b.getClass().getMethod("build").invoke(b);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw (RuntimeException) e.getCause();
          } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
          }
        };
    return Arguments.of(builder + " " + setting, build, setting);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nullSettings")
  void aNullSettingIsRefusedByBuildNamingIt(String name, Supplier<Object> build, String setting) {
    if (setting == null) {
      assertThat(build.get()).isNotNull();
      return;
    }
    assertThatThrownBy(build::get).isInstanceOf(NullPointerException.class).hasMessage(setting);
  }
}
