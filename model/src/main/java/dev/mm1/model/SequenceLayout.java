package dev.mm1.model;

/**
 * Where every position of the assembled sequences comes from, computed on the Java side: each
 * {@code <image>} placeholder is replaced by the connector's M tokens of the next image, rows are
 * padded to the longest, and each position gets its next-token target (or {@link #IGNORE}).
 *
 * <p>Sources index one table: the text embeddings of (B, T + 1) ids, the last column always
 * padding, followed by the image tokens (nImages · M).
 *
 * @param batch sequences B
 * @param length assembled length L
 * @param textIds (B, T + 1) ids with placeholders and padding written as the pad id
 * @param textColumns T + 1
 * @param source (B · L) row of the embedding table for every position
 * @param target (B · L) token the position must predict, or {@link #IGNORE}
 * @param targets number of positions with a target
 */
record SequenceLayout(int batch, int length, long[] textIds, int textColumns, long[] source, int[] target,
    int targets) {

  static final int IGNORE = -1;

  static SequenceLayout of(MultimodalBatch input, int imageTokenId, int padTokenId, int imageTokens, int images) {
    var tokens = input.tokens();
    int batch = tokens.length;
    int columns = 1;
    int placeholders = 0;
    int length = 0;
    for (var row : tokens) {
      columns = Math.max(columns, row.length + 1);
      int rowImages = 0;
      for (int id : row) {
        rowImages += id == imageTokenId ? 1 : 0;
      }
      placeholders += rowImages;
      length = Math.max(length, row.length + rowImages * (imageTokens - 1));
    }
    if (placeholders != images) {
      throw new IllegalArgumentException("the batch has " + placeholders + " <image> placeholders (id "
          + imageTokenId + ") but " + images + " images; allowed: exactly one image per placeholder");
    }
    var textIds = new long[batch * columns];
    java.util.Arrays.fill(textIds, padTokenId);
    var source = new long[batch * length];
    var label = new int[batch * length];
    java.util.Arrays.fill(label, IGNORE);
    int imageRowBase = batch * columns;
    int image = 0;
    for (int b = 0; b < batch; b++) {
      var row = tokens[b];
      int position = b * length;
      for (int t = 0; t < row.length; t++) {
        int id = row[t];
        if (id == imageTokenId) {
          for (int m = 0; m < imageTokens; m++) {
            source[position++] = imageRowBase + (long) image * imageTokens + m;
          }
          image++;
        } else {
          textIds[b * columns + t] = id;
          boolean isTarget = id != padTokenId && (input.lossMask() == null || input.lossMask()[b][t]);
          label[position] = isTarget ? id : IGNORE;
          source[position++] = (long) b * columns + t;
        }
      }
      while (position < (b + 1) * length) {
        source[position++] = (long) b * columns + columns - 1;
      }
    }
    // Position p predicts the label of p + 1 in the same row.
    var target = new int[batch * length];
    int targets = 0;
    for (int b = 0; b < batch; b++) {
      for (int p = 0; p < length; p++) {
        int next = p + 1 < length ? label[b * length + p + 1] : IGNORE;
        target[b * length + p] = next;
        targets += next != IGNORE ? 1 : 0;
      }
    }
    return new SequenceLayout(batch, length, textIds, columns, source, target, targets);
  }
}
