package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings (RoFormer), in the "rotate half" channel layout of Llama's
 * HuggingFace port, so checkpoints of that family map without permuting weights. The cos/sin
 * table of every position up to the longest seen is built once (in the model's long-lived
 * manager) and rows are gathered per pass, so positions may restart inside a row (packed
 * documents) or differ between rows (left-padded prompts).
 */
final class RotaryEmbedding {
  private final int headSize;
  private final double[] inverseFrequencies;
  private NDArray cosTable; // (P, hd)
  private NDArray sinTable;

  RotaryEmbedding(int headSize, double theta) {
    this.headSize = headSize;
    this.inverseFrequencies = new double[headSize / 2];
    for (int i = 0; i < headSize / 2; i++) {
      inverseFrequencies[i] = Math.pow(theta, -2.0 * i / headSize);
    }
  }

  /**
   * cos and sin (B, 1, T, hd) of {@code positions} (B·T, row-major), in {@code manager}; the table
   * grows in {@code tableOwner} when a position is past its end.
   */
  synchronized NDArray[] tables(NDManager tableOwner, NDManager manager, long[] positions, int batch, int tokens) {
    long longest = 0;
    for (long p : positions) {
      longest = Math.max(longest, p + 1);
    }
    if (cosTable == null || cosTable.getShape().get(0) < longest) {
      build(tableOwner, (int) Math.max(longest, 2 * (cosTable == null ? 0 : cosTable.getShape().get(0))));
    }
    var index = HostArrays.of(manager, positions);
    var shape = new Shape(batch, 1, tokens, headSize);
    // Gathered rows land in the table's manager: hand them to the pass's before anything else.
    var cos = cosTable.get(new NDIndex("{}", index));
    var sin = sinTable.get(new NDIndex("{}", index));
    cos.attach(manager);
    sin.attach(manager);
    return new NDArray[] {cos.reshape(shape), sin.reshape(shape)};
  }

  private void build(NDManager owner, int rows) {
    var cos = new float[rows * headSize];
    var sin = new float[rows * headSize];
    int half = headSize / 2;
    for (int t = 0; t < rows; t++) {
      for (int i = 0; i < half; i++) {
        double angle = t * inverseFrequencies[i];
        cos[t * headSize + i] = cos[t * headSize + i + half] = (float) Math.cos(angle);
        sin[t * headSize + i] = sin[t * headSize + i + half] = (float) Math.sin(angle);
      }
    }
    if (cosTable != null) {
      cosTable.close();
      sinTable.close();
    }
    cosTable = HostArrays.of(owner, cos, new Shape(rows, headSize));
    sinTable = HostArrays.of(owner, sin, new Shape(rows, headSize));
  }

  /** Rotates {@code x} (B, H, T, hd) by the pass's tables (B, 1, T, hd). */
  NDArray apply(NDArray x, NDArray cos, NDArray sin) {
    int half = headSize / 2;
    var first = x.get(new NDIndex("..., :" + half));
    var second = x.get(new NDIndex("..., " + half + ":"));
    var rotated = second.neg().concat(first, 3); // (B, H, T, hd): (-x2, x1)
    return x.mul(cos).add(rotated.mul(sin));
  }
}
