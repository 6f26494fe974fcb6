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
 */
public record MultimodalBatch(int[][] tokens, NDArray images, boolean[][] lossMask) {

  public MultimodalBatch {
    if (tokens == null || tokens.length == 0) {
      throw new IllegalArgumentException("batch.tokens is empty; allowed: at least one sequence");
    }
    if (lossMask != null) {
      if (lossMask.length != tokens.length) {
        throw new IllegalArgumentException("batch.lossMask has " + lossMask.length + " rows but batch.tokens has "
            + tokens.length + "; allowed: one mask row per sequence");
      }
      for (int b = 0; b < tokens.length; b++) {
        if (lossMask[b].length != tokens[b].length) {
          throw new IllegalArgumentException("batch.lossMask row " + b + " has " + lossMask[b].length
              + " entries but the sequence has " + tokens[b].length + " tokens");
        }
      }
    }
  }

  public static MultimodalBatch of(int[][] tokens, NDArray images) {
    return new MultimodalBatch(tokens, images, null);
  }

  public static MultimodalBatch text(int[][] tokens) {
    return new MultimodalBatch(tokens, null, null);
  }
}
