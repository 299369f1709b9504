package dev.bulwark.streaming;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A minimal HTTP/1.1 response reader over a raw socket stream, for the fault tests. */
final class ChunkedReader {
  private final InputStream in;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private byte[] body = new byte[0];
  private int bodyPos;
  private boolean ended;
  final Map<String, String> headers = new LinkedHashMap<>();
  int status;

  ChunkedReader(InputStream in) throws IOException {
    this.in = in;
    String statusLine = readLine();
    status = Integer.parseInt(statusLine.split(" ")[1]);
    String line;
    while (!(line = readLine()).isEmpty()) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim());
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new EOFException("connection closed inside a line");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(US_ASCII);
  }

  /** Returns the next body line (without its LF), or null at the end of the body. */
  String nextLine() throws IOException {
    while (true) {
      for (int i = bodyPos; i < body.length; i++) {
        if (body[i] == '\n') {
          String s = new String(body, bodyPos, i - bodyPos, UTF_8);
          bodyPos = i + 1;
          return s;
        }
      }
      pending.reset();
      pending.write(body, bodyPos, body.length - bodyPos);
      if (ended || !readChunk()) {
        return null;
      }
    }
  }

  private boolean readChunk() throws IOException {
    int size = Integer.parseInt(readLine().trim(), 16);
    if (size == 0) {
      readLine();
      ended = true;
      body = pending.toByteArray();
      bodyPos = 0;
      return body.length > 0;
    }
    byte[] chunk = in.readNBytes(size);
    if (chunk.length < size) {
      throw new EOFException("connection closed inside a chunk");
    }
    readLine();
    pending.write(chunk);
    body = pending.toByteArray();
    bodyPos = 0;
    return true;
  }
}
