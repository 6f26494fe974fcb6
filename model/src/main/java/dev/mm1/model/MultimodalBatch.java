package dev.mm1.model;

import ai.djl.ndarray.NDArray;

/**
 * A batch of token sequences with {@code <image>} placeholders and the images they stand for.
 *
 * @param tokens token ids per sequence (rows may differ in length; shorter rows are padded)
 * @param images (nImages, channels, H, W) in order of appearance (sequence 0 left to right, then
 *     sequence 1, ...), or null when no sequence has a placeholder
 * @param lossMask per token, whether it is a training target (e.g. only assistant turns in SFT);
 *     null means every non-padding text token. Image placeholders and padding never are.
 * @param segmentIds per token, the packed document it belongs to (1, 2, ...; 0 = padding): tokens
 *     attend only within their document and positions restart with each one; an image placeholder's
 *     expansion takes its segment. Null puts each whole row in one segment.
 */
public record MultimodalBatch(int[][] tokens, NDArray images, boolean[][] lossMask, int[][] segmentIds) {

  public MultimodalBatch {
    if (tokens == null || tokens.length == 0) {
      throw new IllegalArgumentException("batch.tokens is empty; allowed: at least one sequence");
    }
    if (lossMask != null) {
      checkRows("batch.lossMask", lossMask.length, tokens);
      for (int b = 0; b < tokens.length; b++) {
        checkRow("batch.lossMask", b, lossMask[b].length, tokens[b].length);
      }
    }
    if (segmentIds != null) {
      checkRows("batch.segmentIds", segmentIds.length, tokens);
      for (int b = 0; b < tokens.length; b++) {
        checkRow("batch.segmentIds", b, segmentIds[b].length, tokens[b].length);
      }
    }
  }

  public MultimodalBatch(int[][] tokens, NDArray images, boolean[][] lossMask) {
    this(tokens, images, lossMask, null);
  }

  private static void checkRows(String field, int rows, int[][] tokens) {
    if (rows != tokens.length) {
      throw new IllegalArgumentException(field + " has " + rows + " rows but batch.tokens has " + tokens.length
          + "; allowed: one row per sequence");
    }
  }

  private static void checkRow(String field, int row, int entries, int tokens) {
    if (entries != tokens) {
      throw new IllegalArgumentException(field + " row " + row + " has " + entries + " entries but the sequence has "
          + tokens + " tokens");
    }
  }

  public static MultimodalBatch of(int[][] tokens, NDArray images) {
    return new MultimodalBatch(tokens, images, null, null);
  }

  public static MultimodalBatch text(int[][] tokens) {
    return new MultimodalBatch(tokens, null, null, null);
  }
}
