package dev.bulwark.streaming;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class EncodersTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static String text(byte[] bytes) {
    return new String(bytes, UTF_8);
  }

  @Test
  void linesEndEachItemWithANewline() throws Exception {
    Encoder<CharSequence> lines = Encoders.lines();
    assertThat(text(lines.encode("héllo"))).isEqualTo("héllo\n");
    assertThat(lines.contentType()).isEqualTo("text/plain; charset=utf-8");
    assertThat(lines.heartbeat()).isEmpty();
    assertThat(text(lines.withHeartbeat("\n").heartbeat())).isEqualTo("\n");
  }

  @Test
  void aLineWithALineBreakIsRefused() {
    assertThatThrownBy(() -> Encoders.lines().encode("a\nb"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("line must not contain a raw line break, found LF at index 1 of \"a\\nb\"");
    assertThatThrownBy(() -> Encoders.lines().encode("ab\r"))
        .hasMessageContaining("found CR at index 2");
  }

  @Test
  void theFirstLineBreakOfEitherKindIsTheOneNamed() {
    assertThatThrownBy(() -> Encoders.lines().encode("a\rb\nc"))
        .hasMessageContaining("found CR at index 1");
    assertThatThrownBy(() -> Encoders.<String>ndjson(s -> s).encode("{}\n\r"))
        .hasMessageContaining("found LF at index 2");
  }

  @Test
  void ndjsonWritesOneJsonValuePerLineThatJacksonReadsBack() throws Exception {
    Encoder<Map<String, Object>> ndjson = Encoders.ndjson(JSON::writeValueAsString);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rows.add(Map.of("id", i, "text", "line " + i + " with \"quotes\" and a\nnewline"));
    }
    for (var row : rows) {
      out.writeBytes(ndjson.encode(row));
    }
    out.writeBytes(ndjson.heartbeat()); // a heartbeat is an empty line
    String[] lines = out.toString(UTF_8).split("\n", -1);
    List<JsonNode> parsed = new ArrayList<>();
    for (String line : lines) {
      if (!line.isBlank()) {
        parsed.add(JSON.readTree(line));
      }
    }
    assertThat(parsed).hasSize(50);
    for (int i = 0; i < 50; i++) {
      assertThat(parsed.get(i).get("id").asInt()).isEqualTo(i);
      assertThat(parsed.get(i).get("text").asText()).isEqualTo(rows.get(i).get("text"));
    }
    assertThat(ndjson.contentType()).isEqualTo("application/x-ndjson");
  }

  @Test
  void ndjsonRefusesAJsonTextWithARawNewline() {
    Encoder<String> pretty = Encoders.ndjson(s -> "{\n  \"v\": \"" + s + "\"\n}");
    assertThatThrownBy(() -> pretty.encode("x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "NDJSON value must not contain a raw line break, found LF at index 1");
  }

  @Test
  void aTextWithAnUnpairedSurrogateIsRefusedWithItsIndexInsteadOfBeingWrittenAsAQuestionMark() {
    // String.getBytes(UTF_8) would silently write '?' for each of these
    assertThatThrownBy(() -> Encoders.lines().encode("ab\uD83D"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "line must be well-formed UTF-16, found an unpaired surrogate U+D83D at index 2"
                + " (UTF-8 cannot encode it)");
    assertThatThrownBy(() -> Encoders.<String>ndjson(s -> s).encode("{\"v\":\"\uDE00x\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "NDJSON value must be well-formed UTF-16, found an unpaired surrogate U+DE00 at index 6"
                + " (UTF-8 cannot encode it)");
    assertThatThrownBy(() -> Encoders.lines().encode("\uD83D\uD83D\uDE00")) // high, then a pair
        .hasMessageContaining("U+D83D at index 0");
    assertThatThrownBy(() -> Encoders.lines().encode("é\uDE00\uD83D")) // low before high
        .hasMessageContaining("U+DE00 at index 1");
    Encoder<List<String>> each = Encoders.each(Encoders.<String>ndjson(s -> s));
    assertThatThrownBy(() -> each.encode(List.of("1", "\"\uDBFF\"")))
        .hasMessageContaining("U+DBFF at index 1");
  }

  @Test
  void anSseEventWithAnUnpairedSurrogateIsRefusedWhenItIsMadeLikeALineBreak() {
    assertThatThrownBy(() -> SseEvent.of("half \uD83D"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "SSE data must be well-formed UTF-16, found an unpaired surrogate U+D83D at index 5"
                + " (UTF-8 cannot encode it)");
    SseEvent ok = SseEvent.of("x");
    assertThatThrownBy(() -> ok.withId("\uDE00")).hasMessageStartingWith("SSE id must be");
    assertThatThrownBy(() -> ok.withEvent("q\uDBFF"))
        .hasMessageStartingWith("SSE event name must be");
    assertThatThrownBy(() -> new SseEvent("x", "a\nb", null, null))
        .hasMessageStartingWith("SSE id must not contain CR or LF");
  }

  @Test
  void anSseEventWithAnUnpairedSurrogateIsRefusedWithItsFieldAndIndex() throws Exception {
    Encoder<SseEvent> sse = Encoders.sse(e -> e);
    assertThatThrownBy(() -> sse.encode(SseEvent.of("ok\nhalf \uD83D")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "SSE data must be well-formed UTF-16, found an unpaired surrogate U+D83D at index 8"
                + " (UTF-8 cannot encode it)");
    assertThatThrownBy(() -> sse.encode(SseEvent.of("x").withId("\uDE00")))
        .hasMessageStartingWith("SSE id must be well-formed UTF-16")
        .hasMessageContaining("U+DE00 at index 0");
    assertThatThrownBy(() -> sse.encode(SseEvent.of("x").withEvent("q\uDBFF")))
        .hasMessageStartingWith("SSE event name must be well-formed UTF-16")
        .hasMessageContaining("U+DBFF at index 1");
    assertThat(new String(sse.encode(SseEvent.of("\uD83D\uDE00").withId("é")), UTF_8))
        .isEqualTo("id: é\ndata: \uD83D\uDE00\n\n");
  }

  @Test
  void surrogatePairsAndEveryOtherCharacterAreWrittenAsUtf8() throws Exception {
    String text = "{\"emoji\":\"\uD83D\uDE00\",\"é\":\"日本\",\"nul\":\"\u0000\"}";
    assertThat(Encoders.lines().encode(text)).isEqualTo((text + "\n").getBytes(UTF_8));
    assertThat(Encoders.<String>ndjson(s -> s).encode(text))
        .isEqualTo((text + "\n").getBytes(UTF_8));
  }

  @Property(tries = 300)
  void anyOneLineTextIsEncodedExactlyAsUtf8OrRefused(
      @ForAll
          @Chars({'a', '"', 'é', '日', '\n', '\r', '\uD83D', '\uDE00', '\uDBFF'})
          @StringLength(max = 12)
          String s) {
    boolean lineBreak = s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    boolean unpaired = !lineBreak && !wellFormed(s);
    Encoder<CharSequence> lines = Encoders.lines();
    if (lineBreak || unpaired) {
      assertThatThrownBy(() -> lines.encode(s))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(lineBreak ? "raw line break" : "unpaired surrogate");
    } else {
      assertThat(catchEncode(lines, s)).isEqualTo((s + "\n").getBytes(UTF_8));
    }
  }

  private static byte[] catchEncode(Encoder<CharSequence> encoder, String s) {
    try {
      return encoder.encode(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** An independent oracle: every surrogate is half of a high-low pair. */
  private static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void ndjsonRefusesANullJsonText() {
    assertThatThrownBy(() -> Encoders.<String>ndjson(s -> null).encode("x"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("json function returned null for an item");
  }

  @Test
  void sseWritesEveryFieldAndSplitsMultiLineData() throws Exception {
    SseEvent event =
        SseEvent.of("first\nsecond\r\nthird\rfourth")
            .withId("42")
            .withEvent("quote")
            .withRetry(Duration.ofMillis(1500));
    String frame = text(Encoders.sse().encode(event));
    assertThat(frame)
        .isEqualTo(
            "event: quote\nid: 42\nretry: 1500\n"
                + "data: first\ndata: second\ndata: third\ndata: fourth\n\n");
    SseParser parsed = SseParser.parse(frame);
    assertThat(parsed.events())
        .containsExactly(new SseParser.Event("quote", "first\nsecond\nthird\nfourth", "42"));
    assertThat(parsed.retry()).isEqualTo(1500);
  }

  @Test
  void sseKeepsLeadingSpacesEmptyLinesAndColonsInData() throws Exception {
    String data = "  indented\n\n: not a comment\ndata: nested";
    String frame = text(Encoders.sse().encode(SseEvent.of(data)));
    assertThat(SseParser.parse(frame).events())
        .containsExactly(new SseParser.Event("message", data, ""));
  }

  @Test
  void sseHeartbeatIsACommentThatDispatchesNothing() {
    Encoder<SseEvent> sse = Encoders.sse();
    SseParser parsed = SseParser.parse(text(sse.heartbeat()));
    assertThat(parsed.events()).isEmpty();
    assertThat(parsed.comments()).containsExactly(" heartbeat");
    assertThat(sse.contentType()).isEqualTo("text/event-stream");
  }

  @Test
  void sseRefusesLineBreaksInIdAndEvent() {
    assertThatThrownBy(() -> SseEvent.of("x").withId("1\n2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SSE id must not contain CR or LF, was \"1\\n2\" (line break at index 1)");
    assertThatThrownBy(() -> SseEvent.of("x").withEvent("a\rb"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SSE event must not contain CR or LF, was \"a\\rb\" (line break at index 1)");
    assertThatThrownBy(() -> SseEvent.of("x").withId("a\0"))
        .hasMessage("SSE id must not contain NUL, was \"a\\0\"");
    assertThatThrownBy(() -> SseEvent.of("x").withRetry(Duration.ofMillis(-1)))
        .hasMessage("SSE retry must not be negative, was -1ms");
    assertThatThrownBy(() -> SseEvent.of(null)).hasMessage("data");
  }

  @Property(tries = 200)
  void anySseDataRoundTripsThroughAnIndependentParser(
      @ForAll @StringLength(max = 40) String data, @ForAll @StringLength(max = 10) String id)
      throws Exception {
    String cleanId = id.replaceAll("[\r\n\0]", "_");
    String frame = text(Encoders.sse().encode(SseEvent.of(data).withId(cleanId)));
    // the browser normalises CRLF and CR in data to LF
    String expected = data.replace("\r\n", "\n").replace('\r', '\n');
    List<SseParser.Event> events = SseParser.parse(frame).events();
    assertThat(events).containsExactly(new SseParser.Event("message", expected, cleanId));
  }

  @Test
  void bytesArePassedThroughAndBatchesConcatenateFrames() throws Exception {
    byte[] raw = new byte[64];
    new Random(7).nextBytes(raw);
    assertThat(Encoders.bytes().encode(raw)).isEqualTo(raw);
    assertThat(Encoders.bytes().heartbeat()).isEmpty();
    Encoder<List<String>> each = Encoders.each(Encoders.ndjson(s -> "\"" + s + "\""));
    assertThat(text(each.encode(List.of("a", "b")))).isEqualTo("\"a\"\n\"b\"\n");
    assertThat(each.contentType()).isEqualTo("application/x-ndjson");
  }

  @Test
  void ndjsonRefusesAnEmptyOrBlankJsonTextThatWouldReadAsAHeartbeat() {
    assertThatThrownBy(() -> Encoders.<String>ndjson(s -> "").encode("x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "NDJSON value must be a JSON text, was empty (an empty line reads as a heartbeat, so"
                + " the item would be lost)");
    assertThatThrownBy(() -> Encoders.<String>ndjson(s -> " \t ").encode("x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "NDJSON value must be a JSON text, was \" \t \" (an empty line reads as a heartbeat,"
                + " so the item would be lost)");
  }
}
