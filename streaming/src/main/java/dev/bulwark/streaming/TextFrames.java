package dev.bulwark.streaming;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Encodes one line of text (a line of {@link Encoders#lines()}, an NDJSON value) and its {@code
 * '\n'} into a byte buffer that is reused for every line, after checking that the text is one line
 * of well-formed UTF-16. Not thread-safe: a writer uses one per stream, the public {@link
 * Encoder#encode} one per call.
 *
 * <p><b>Design.</b> The writer's hot path for text formats; it allocates nothing once its buffers
 * fit the longest line (the measurements behind each choice are in {@code benchmarks/README.md}):
 *
 * <ul>
 *   <li>The line-break check is two {@link String#indexOf(int)} calls: JDK intrinsics that scan
 *       many bytes per step, faster than any single pass written in Java (a byte loop, a SWAR loop
 *       over longs), which stay bound by arithmetic.
 *   <li>The text is copied into a reused {@code char[]} ({@link String#getChars}, a vectorised
 *       widening of the usual Latin-1 string) and a reused UTF-8 {@link CharsetEncoder} writes it
 *       into a reused {@code byte[]} (its ASCII loop is a JDK intrinsic): as fast as {@code
 *       String.getBytes(UTF_8)}, without its array per line, nor the second array that appending
 *       the {@code '\n'} would take. The line and its {@code '\n'} then go out in one write call.
 *   <li>The encoder reports malformed input, so an unpaired surrogate, which {@code getBytes}
 *       silently writes as {@code '?'}, is found at no extra cost and refused with its index.
 *       {@code getBytes} cannot tell: its {@code '?'} is the same byte as a real one.
 * </ul>
 *
 * <p>The byte buffer holds three bytes per char and one for the {@code '\n'} (UTF-8 needs at most
 * three bytes per UTF-16 unit: four for a surrogate pair), so one encode call always fits. The
 * buffers grow with the lines up to {@link #KEPT_CHARS}; a longer line gets buffers of its own, so
 * one huge line does not pin its buffers for the rest of a long stream. A writer keeps the buffers
 * of a stream that ended for its next stream, so a stream of a few items does not pay for new
 * buffers and a new {@link CharsetEncoder} either.
 */
final class TextFrames {

  /**
   * The longest line whose buffers a stream keeps for the next lines: 16 KB of chars and 24 KB of
   * bytes at most. A longer line is encoded into buffers of its own, dropped after it is written.
   */
  static final int KEPT_CHARS = 8 * 1024;

  private static final int INITIAL_CHARS = 256;

  private final CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder(); // reports errors
  private char[] chars;
  private CharBuffer in;
  private byte[] bytes;
  private ByteBuffer out;
  private byte[] frame; // the last frame: the kept buffer, or a long line's own

  TextFrames() {
    allocate(INITIAL_CHARS);
  }

  /**
   * Encodes {@code text} and {@code '\n'} into {@link #bytes()}.
   *
   * @param text the line, without its line break
   * @param what what the text is, for messages ({@code "line"}, {@code "NDJSON value"})
   * @return the frame's length: the bytes from index 0 of {@link #bytes()}
   * @throws IllegalArgumentException if the text holds CR or LF or an unpaired surrogate
   */
  int encode(String text, String what) {
    checkSingleLine(text, what);
    int n = text.length();
    if (n > chars.length) {
      if (n > KEPT_CHARS) {
        // longer than a stream keeps buffers for: this line gets buffers of its own
        TextFrames own = new TextFrames(n);
        int length = own.encodeChars(text, n, what);
        frame = own.bytes;
        return length;
      }
      allocate(Math.min(KEPT_CHARS, Math.max(n, chars.length * 2)));
    }
    int length = encodeChars(text, n, what);
    frame = bytes;
    return length;
  }

  private int encodeChars(String text, int n, String what) {
    text.getChars(0, n, chars, 0);
    in.clear().limit(n);
    out.clear();
    utf8.reset();
    CoderResult result = utf8.encode(in, out, true);
    if (result.isError()) {
      throw unpairedSurrogate(text, in.position(), what);
    }
    // UNDERFLOW: every char was encoded (the buffer cannot overflow, see the class comment), and
    // UTF-8 keeps no state to flush
    int length = out.position();
    bytes[length] = '\n';
    return length + 1;
  }

  /** Returns the buffer that {@link #encode} filled; valid until the next call. */
  byte[] bytes() {
    return frame;
  }

  /**
   * Lets go of a long line's own buffer (see {@link #encode}), so that a writer can keep this for
   * its next stream without pinning it.
   *
   * @return this
   */
  TextFrames reusable() {
    frame = bytes;
    return this;
  }

  /** Encodes one line into a new array of its exact length, for {@link Encoder#encode}. */
  static byte[] encodeOnce(String text, String what) {
    TextFrames frames = new TextFrames(text.length());
    checkSingleLine(text, what);
    int length = frames.encodeChars(text, text.length(), what);
    return Arrays.copyOf(frames.bytes, length);
  }

  /** Buffers for a line of {@code chars} chars, kept or not. */
  private TextFrames(int chars) {
    allocate(Math.max(chars, 1));
  }

  private void allocate(int capacity) {
    chars = new char[capacity];
    in = CharBuffer.wrap(chars);
    bytes = new byte[Math.multiplyExact(capacity, 3) + 1];
    out = ByteBuffer.wrap(bytes);
  }

  /**
   * Refuses a line break; names the first one. {@link String#indexOf(int)} is vectorised, so two
   * scans cost less than one loop over the chars.
   */
  static void checkSingleLine(String value, String what) {
    int lf = value.indexOf('\n');
    int cr = value.indexOf('\r');
    if (lf >= 0 || cr >= 0) {
      int i = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      char c = value.charAt(i);
      throw new IllegalArgumentException(
          what
              + " must not contain a raw line break, found "
              + (c == '\n' ? "LF" : "CR")
              + " at index "
              + i
              + " of "
              + SseEvent.quote(value));
    }
  }

  /**
   * Refuses an unpaired surrogate, naming the first one: for text that does not go through a {@code
   * TextFrames} encoder, such as a Server-Sent Event's fields.
   */
  static void checkWellFormed(String text, String what) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < text.length()
            && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          throw unpairedSurrogate(text, i, what);
        }
      }
    }
  }

  private static IllegalArgumentException unpairedSurrogate(String text, int at, String what) {
    return new IllegalArgumentException(
        what
            + " must be well-formed UTF-16, found an unpaired surrogate U+"
            + Integer.toHexString(text.charAt(at)).toUpperCase(Locale.ROOT)
            + " at index "
            + at
            + " (UTF-8 cannot encode it)");
  }
}
