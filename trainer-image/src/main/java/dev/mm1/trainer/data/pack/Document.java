package dev.mm1.trainer.data.pack;

import java.util.List;

/**
 * One sample ready for packing: an ordered list of text runs and images.
 *
 * @param source name of the data source it came from
 * @param key its sample key
 * @param origin where the pipeline read it (opaque here; saved with a partly packed document)
 * @param pieces text runs and images in reading order
 * @param keepTogether start it in a fresh sequence rather than split it when it would fit whole there
 *     (caption pairs and conversations; interleaved and text documents fill remainders instead)
 */
public record Document(String source, String key, Object origin, List<Piece> pieces, boolean keepTogether) {
  public Document {
    pieces = List.copyOf(pieces);
  }

  /** A run of text tokens, or an image. */
  public sealed interface Piece permits Text, Image {}

  /**
   * Text tokens.
   *
   * @param supervised whether the tokens are prediction targets (false for SFT user turns)
   */
  public record Text(int[] tokens, boolean supervised) implements Piece {}

  /**
   * An image: its encoder views (one, or five with sub-image decomposition), each a CHW float array.
   *
   * @param name the member it came from, e.g. {@code jpg} or {@code 2.png}
   */
  public record Image(String name, float[][] views) implements Piece {}

  /** Sequence positions the whole document takes, with {@code imageTokens} positions per image view. */
  public int tokenCount(int imageTokens) {
    int count = 0;
    for (Piece piece : pieces) {
      count += switch (piece) {
        case Text text -> text.tokens().length;
        case Image image -> image.views().length * imageTokens;
      };
    }
    return count;
  }

  /** Image views in the document. */
  public int imageCount() {
    int count = 0;
    for (Piece piece : pieces) {
      if (piece instanceof Image image) {
        count += image.views().length;
      }
    }
    return count;
  }
}
