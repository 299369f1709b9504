package dev.bulwark.samples;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A strict NDJSON reader, independent of the service's encoder: each line is exactly one JSON
 * object in valid UTF-8, terminated by {@code \n} (no {@code \r}); an empty line is a heartbeat;
 * anything else, or a last line without its {@code \n}, is an error.
 */
final class StrictNdjson {

  private static final ObjectMapper STRICT =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private final InputStream in;
  int heartbeats;

  StrictNdjson(InputStream in) {
    this.in = in;
  }

  /** The next JSON object, skipping heartbeats; empty at a clean end of the stream. */
  Optional<JsonNode> next() throws IOException {
    while (true) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1 && b != '\n') {
        if (b == '\r') {
          throw new AssertionError("NDJSON line contains a carriage return");
        }
        line.write(b);
      }
      if (b == -1) {
        if (line.size() > 0) {
          throw new AssertionError("the stream ended inside a line: " + line);
        }
        return Optional.empty();
      }
      if (line.size() == 0) {
        heartbeats++;
        continue;
      }
      String text = utf8(line.toByteArray());
      JsonNode node = STRICT.readTree(text);
      if (node == null || !node.isObject()) {
        throw new AssertionError("NDJSON line is not one JSON object: " + text);
      }
      return Optional.of(node);
    }
  }

  static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError("not valid UTF-8", e);
    }
  }
}
