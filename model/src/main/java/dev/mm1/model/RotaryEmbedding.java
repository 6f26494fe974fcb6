package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings (RoFormer), in the "rotate half" channel layout of Llama's
 * HuggingFace port, so checkpoints of that family map without permuting weights.
 */
final class RotaryEmbedding {
  private final int headSize;
  private final double[] inverseFrequencies;

  RotaryEmbedding(int headSize, double theta) {
    this.headSize = headSize;
    this.inverseFrequencies = new double[headSize / 2];
    for (int i = 0; i < headSize / 2; i++) {
      inverseFrequencies[i] = Math.pow(theta, -2.0 * i / headSize);
    }
  }

  /** Rotates {@code x} (B, H, T, hd) whose tokens sit at positions offset..offset+T-1. */
  NDArray apply(NDArray x, int offset) {
    int tokens = (int) x.getShape().get(2);
    var cos = new float[tokens * headSize];
    var sin = new float[tokens * headSize];
    int half = headSize / 2;
    for (int t = 0; t < tokens; t++) {
      for (int i = 0; i < half; i++) {
        double angle = (offset + t) * inverseFrequencies[i];
        cos[t * headSize + i] = cos[t * headSize + i + half] = (float) Math.cos(angle);
        sin[t * headSize + i] = sin[t * headSize + i + half] = (float) Math.sin(angle);
      }
    }
    var manager = x.getManager();
    var shape = new Shape(tokens, headSize);
    var first = x.get(new NDIndex("..., :" + half));
    var second = x.get(new NDIndex("..., " + half + ":"));
    var rotated = second.neg().concat(first, 3); // (B, H, T, hd): (-x2, x1)
    return x.mul(HostArrays.of(manager, cos, shape)).add(rotated.mul(HostArrays.of(manager, sin, shape)));
  }
}
