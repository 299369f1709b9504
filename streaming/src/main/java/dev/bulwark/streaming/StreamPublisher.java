package dev.bulwark.streaming;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A stream as a {@code Flow.Publisher<ByteBuffer>}, from {@link
 * StreamWriter#publisher(ChunkSource)}: for HTTP clients and servers that take a publisher as a
 * body (the JDK's {@code HttpRequest.BodyPublishers.fromPublisher}, reactive servers).
 */
public interface StreamPublisher extends Flow.Publisher<ByteBuffer> {

  /**
   * Returns how the stream ended, once it has.
   *
   * @return a stage completed with the result when the stream ends (never exceptionally; a refusal
   *     by the writer's guard, or a guard that fails, completes it with outcome {@link
   *     StreamResult.Outcome#CANCELLED} and the refusal or the guard's exception as failure)
   */
  CompletionStage<StreamResult> result();
}
