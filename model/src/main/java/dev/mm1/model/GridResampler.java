package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Separable resampling of a (B, H, W, C) grid by two small matrices, one per axis: bicubic
 * interpolation (position embeddings at a new resolution) and adaptive average pooling
 * (connectors). Matrix products keep it differentiable and avoid ops the engine lacks. Bicubic is
 * cubic convolution with a = -0.75, half-pixel centres and clamped edges (the formula of PyTorch's
 * bicubic kernel; not cross-checked against a native op: DJL's bicubic interpolation mode gives
 * other border values); adaptive average pooling uses {@code adaptive_avg_pool2d}'s windows and
 * equals the engine's avgPool2d when the sizes divide (tested).
 */
public final class GridResampler {
  private static final double CUBIC_A = -0.75;

  private GridResampler() {}

  /** Resamples x (B, H, W, C) to (B, outHeight, outWidth, C) with (out, in) weight matrices. */
  static NDArray resample(NDArray x, float[] rows, int outHeight, float[] cols, int outWidth) {
    var shape = x.getShape();
    long batch = shape.get(0);
    long height = shape.get(1);
    long width = shape.get(2);
    long channels = shape.get(3);
    var manager = x.getManager();
    var type = x.getDataType(); // float16 in mixed-precision training
    var alongHeight = HostArrays.of(manager, rows, new Shape(outHeight, height)).toType(type, false)
        .matMul(x.reshape(batch, height, width * channels)) // (B, oh, W·C)
        .reshape(batch, outHeight, width, channels);
    return HostArrays.of(manager, cols, new Shape(outWidth, width)).toType(type, false).matMul(alongHeight); // (B, oh, ow, C)
  }

  /** Bicubic interpolation weights (out, in), edge indices clamped. */
  public static float[] bicubic(int in, int out) {
    var weights = new float[out * in];
    double scale = (double) in / out;
    for (int o = 0; o < out; o++) {
      double source = (o + 0.5) * scale - 0.5;
      int base = (int) Math.floor(source);
      double t = source - base;
      double[] coefficients = {
          cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)};
      for (int tap = 0; tap < 4; tap++) {
        int index = Math.clamp(base - 1 + tap, 0, in - 1);
        weights[o * in + index] += (float) coefficients[tap];
      }
    }
    return weights;
  }

  private static double cubicNear(double x) {
    return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
  }

  private static double cubicFar(double x) {
    return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
  }

  /** Adaptive average pooling weights (out, in): output i averages inputs floor(i·in/out)..ceil((i+1)·in/out). */
  static float[] adaptiveAverage(int in, int out) {
    var weights = new float[out * in];
    for (int o = 0; o < out; o++) {
      int start = Math.floorDiv(o * in, out);
      int end = -Math.floorDiv(-(o + 1) * in, out);
      for (int i = start; i < end; i++) {
        weights[o * in + i] = 1f / (end - start);
      }
    }
    return weights;
  }
}
