package dev.mm1.model;

import java.util.Arrays;

/**
 * Where every position of the assembled sequences comes from, computed on the Java side: each
 * {@code <image>} placeholder is replaced by the connector's M tokens of the next image, rows are
 * padded to the longest (on the right for training, on the left for generation, so that every
 * prompt ends at the last column), and each position gets its segment and its next-token target
 * (or {@link #IGNORE}).
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
 * @param segments (B · L) segment of every position (0 for the layout's padding)
 */
record SequenceLayout(int batch, int length, long[] textIds, int textColumns, long[] source, int[] target,
    int targets, long[] segments) {

  static final int IGNORE = -1;

  static SequenceLayout of(MultimodalBatch input, int imageTokenId, int padTokenId, int imageTokens, int images,
      boolean padLeft) {
    var tokens = input.tokens();
    int batch = tokens.length;
    int columns = 1;
    int placeholders = 0;
    int length = 0;
    var rowLengths = new int[batch];
    for (int b = 0; b < batch; b++) {
      var row = tokens[b];
      columns = Math.max(columns, row.length + 1);
      int rowImages = 0;
      for (int id : row) {
        rowImages += id == imageTokenId ? 1 : 0;
      }
      placeholders += rowImages;
      rowLengths[b] = row.length + rowImages * (imageTokens - 1);
      length = Math.max(length, rowLengths[b]);
    }
    if (placeholders != images) {
      throw new IllegalArgumentException("the batch has " + placeholders + " <image> placeholders (id "
          + imageTokenId + ") but " + images + " images; allowed: exactly one image per placeholder");
    }
    var textIds = new long[batch * columns];
    Arrays.fill(textIds, padTokenId);
    var source = new long[batch * length];
    var label = new int[batch * length];
    var segments = new long[batch * length];
    Arrays.fill(label, IGNORE);
    int imageRowBase = batch * columns;
    int image = 0;
    for (int b = 0; b < batch; b++) {
      var row = tokens[b];
      int padding = length - rowLengths[b];
      int position = b * length;
      long padSource = (long) b * columns + columns - 1;
      if (padLeft) {
        for (int p = 0; p < padding; p++) {
          source[position++] = padSource;
        }
      }
      for (int t = 0; t < row.length; t++) {
        int id = row[t];
        long segment = input.segmentIds() == null ? 1 : input.segmentIds()[b][t];
        if (id == imageTokenId) {
          for (int m = 0; m < imageTokens; m++) {
            segments[position] = segment;
            source[position++] = imageRowBase + (long) image * imageTokens + m;
          }
          image++;
        } else {
          textIds[b * columns + t] = id;
          boolean isTarget = id != padTokenId && (input.lossMask() == null || input.lossMask()[b][t]);
          label[position] = isTarget ? id : IGNORE;
          segments[position] = segment;
          source[position++] = (long) b * columns + t;
        }
      }
      while (position < (b + 1) * length) {
        source[position++] = padSource;
      }
    }
    // Position p predicts the label of p + 1 in the same row and segment.
    var target = new int[batch * length];
    int targets = 0;
    for (int b = 0; b < batch; b++) {
      for (int p = 0; p < length; p++) {
        int at = b * length + p;
        int next = p + 1 < length && segments[at + 1] == segments[at] ? label[at + 1] : IGNORE;
        target[at] = next;
        targets += next != IGNORE ? 1 : 0;
      }
    }
    return new SequenceLayout(batch, length, textIds, columns, source, target, targets, segments);
  }
}
