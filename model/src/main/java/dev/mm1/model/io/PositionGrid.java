package dev.mm1.model.io;

import dev.mm1.model.GridResampler;

/**
 * Loading learned position embeddings into a model of another resolution: a 378-px checkpoint's
 * (27² + 1, C) encoder table into a 672-px model's (48² + 1, C), or a C-Abstractor's (27², C) into
 * (48², C). The square grid is resampled bicubically (as the encoder does at run time); leading
 * rows that are not grid cells (the class token's) are kept as they are.
 *
 * @param leading rows before the grid (1 with a class token, else 0)
 * @param from side of the checkpoint's grid
 * @param to side of the model's grid
 * @param width channels per row
 */
record PositionGrid(int leading, int from, int to, int width) {

  /** The resampling between the two shapes of parameter {@code name}, or null when none applies. */
  static PositionGrid between(String name, long[] source, long[] target) {
    if (!name.endsWith("positionEmbedding") || source.length != 2 || target.length != 2 || source[1] != target[1]
        || source[0] == target[0]) {
      return null;
    }
    for (int leading = 0; leading <= 1; leading++) {
      int to = side(target[0] - leading);
      int from = side(source[0] - leading);
      if (to > 0 && from > 0) {
        return new PositionGrid(leading, from, to, (int) target[1]);
      }
    }
    return null;
  }

  private static int side(long cells) {
    int side = (int) Math.round(Math.sqrt(Math.max(cells, 0)));
    return cells > 0 && (long) side * side == cells ? side : -1;
  }

  /** The model's table from the checkpoint's (rows × width, row-major). */
  float[] resample(float[] values) {
    var weights = GridResampler.bicubic(from, to); // (to, from)
    var out = new float[(leading + to * to) * width];
    System.arraycopy(values, 0, out, 0, leading * width);
    // Separable: first along rows (i), then along columns (j).
    var alongRows = new double[to * from * width];
    for (int i = 0; i < to; i++) {
      for (int k = 0; k < from; k++) {
        double w = weights[i * from + k];
        if (w == 0) {
          continue;
        }
        for (int j = 0; j < from; j++) {
          int src = (leading + k * from + j) * width;
          int dst = (i * from + j) * width;
          for (int c = 0; c < width; c++) {
            alongRows[dst + c] += w * values[src + c];
          }
        }
      }
    }
    for (int i = 0; i < to; i++) {
      for (int j = 0; j < to; j++) {
        int dst = (leading + i * to + j) * width;
        for (int k = 0; k < from; k++) {
          double w = weights[j * from + k];
          if (w == 0) {
            continue;
          }
          int src = (i * from + k) * width;
          for (int c = 0; c < width; c++) {
            out[dst + c] += (float) (w * alongRows[src + c]);
          }
        }
      }
    }
    return out;
  }
}
