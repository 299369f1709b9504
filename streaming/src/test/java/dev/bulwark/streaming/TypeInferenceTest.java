package dev.bulwark.streaming;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ordinary code compiles without type witnesses or casts: this class is the test (it would not
 * compile if an untyped lambda's parameter were inferred as {@code Object}), and each method checks
 * that the code it holds also does what it says.
 */
class TypeInferenceTest {

  record Row(long id, String name) {}

  @Test
  void anNdjsonEncoderWithAnUntypedLambdaSeesTheItemTypeGivenToTheBuilder() {
    StreamWriter<Row> writer =
        StreamWriter.builder("rows", Row.class)
            .encoder(Encoders.ndjson(row -> "{\"id\":" + row.id() + "}"))
            .build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StreamResult result =
        writer.writeTo(out, ChunkSource.of(List.of(new Row(1, "a"), new Row(2, "b"))));
    assertThat(result.items()).isEqualTo(2);
    assertThat(out.toString(UTF_8)).isEqualTo("{\"id\":1}\n{\"id\":2}\n");
  }

  @Test
  void sseAndLineEncodersWithUntypedLambdasSeeTheItemTypeToo() {
    StreamWriter<Row> sse =
        StreamWriter.builder("events", Row.class)
            .encoder(Encoders.sse(row -> SseEvent.of(row.name()).withId(Long.toString(row.id()))))
            .build();
    StreamWriter<Row> lines =
        StreamWriter.builder("lines", Row.class).encoder(Encoders.lines(row -> row.name())).build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    lines.writeTo(out, ChunkSource.of(List.of(new Row(1, "a"))));
    assertThat(out.toString(UTF_8)).isEqualTo("a\n");
    out.reset();
    sse.writeTo(out, ChunkSource.of(List.of(new Row(7, "x"))));
    assertThat(out.toString(UTF_8)).isEqualTo("id: 7\ndata: x\n\n");
  }

  @Test
  void aBuilderWithoutAnItemTypeIsTypedByAMethodReferenceEncoder() {
    StreamWriter<Row> writer =
        StreamWriter.builder("names").encoder(Encoders.lines(Row::name)).build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.writeTo(out, ChunkSource.of(List.of(new Row(1, "a"))));
    assertThat(out.toString(UTF_8)).isEqualTo("a\n");
  }
}
