package dev.bulwark.streaming;

/**
 * Producer code for a {@linkplain ChunkSource#generator(Generator) generated source}: it runs on
 * its own thread (virtual by default) and hands each item to {@link Emitter#emit(Object)}.
 *
 * <p>Returning normally ends the stream after the consumer has taken every item emitted; throwing
 * fails it after those items (outcome {@link StreamResult.Outcome#SOURCE_FAILED}). When the
 * consumer goes away, {@code emit} throws a {@link java.util.concurrent.CancellationException} and
 * the thread is interrupted, so the code's {@code finally} blocks and try-with-resources run, like
 * an async generator's clean-up on cancel:
 *
 * <pre>{@code
 * ChunkSource<Token> tokens = ChunkSource.<Token>generator(out -> {
 *       try (var response = model.stream(prompt)) {   // closed when the client disconnects
 *         for (Token t : response) {
 *           out.emit(t);
 *         }
 *       }
 *     }).build();
 * }</pre>
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface Generator<T> {

  /**
   * Produces the items.
   *
   * @param out where the items go
   * @throws Exception any failure, delivered to the consumer after the items already emitted
   */
  void generate(Emitter<T> out) throws Exception;
}
