/**
 * Streaming output piece by piece, with backpressure, heartbeats, timeouts, resume and clean-up
 * when the client goes away.
 *
 * <p>A {@link dev.bulwark.streaming.ChunkSource} supplies items (from an iterator, a queue, a
 * {@code Flow.Publisher}, or producer code on its own thread through a bounded buffer); operators
 * map, filter, limit, batch, time out and {@linkplain dev.bulwark.streaming.ResumingSource resume}
 * it; an {@link dev.bulwark.streaming.Encoder} turns each item into one whole frame (lines, NDJSON,
 * Server-Sent Events, bytes); a {@link dev.bulwark.streaming.StreamWriter} writes the frames to an
 * {@code OutputStream}, an {@code HttpExchange} or a {@code Flow.Publisher<ByteBuffer>} and returns
 * a {@link dev.bulwark.streaming.StreamResult}. A {@link dev.bulwark.streaming.Channel} connects
 * the stages of a pipeline.
 */
package dev.bulwark.streaming;
