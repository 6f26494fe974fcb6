package dev.mm1.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;

/**
 * y = x·Wᵀ + b for the few rows of a batched decoding step on the CPU: the weight's output rows
 * cut into panels of {@value #PANEL} and multiplied as one batched product, instead of one GEMM.
 *
 * <p>Why: for 3 to about 12 rows, MKL's SGEMM (libtorch's CPU path) packs the whole weight on every
 * call, so a weight larger than the cache is read from memory about three times. Measured on the
 * 2-core machine, 50 different weights so that each comes from memory, best of 8 interleaved rounds
 * (evaluator/README.md): 8 rows of a 2048×768 weight 420 µs in panels against 541 µs as one GEMM,
 * 768×2048 420 against 541, 8192×768 1 500 against 2 678; 4 rows of 8192×768 1 337 against 2 053.
 * Weights that fit the cache (768×768, 256×768) and 1–3 or 16 rows gain nothing or lose, so they
 * keep the one GEMM. Inference only ({@link Dense#linear} chooses): training keeps {@link Linear#linear}.
 */
final class PanelLinear {
  /** Output rows per panel (a 32×768 float panel is 96 KB, resident in L2 while it is used). */
  static final int PANEL = 32;
  static final int MIN_ROWS = 4;
  static final int MAX_ROWS = 12;
  /** Smaller weights stay in the cache between calls and gain nothing. */
  static final long MIN_WEIGHT_BYTES = 4L << 20;

  private PanelLinear() {}

  /** Whether {@code x} (..., in) times {@code weight} (out, in) is a product this path is faster for. */
  static boolean applies(NDArray x, NDArray weight) {
    var shape = weight.getShape();
    long out = shape.get(0);
    long in = shape.get(1);
    var xShape = x.getShape();
    if (xShape.dimension() < 2 || xShape.tail() != in) {
      return false; // not a product of this weight: one GEMM says what is wrong
    }
    long rows = xShape.size() / in;
    return rows >= MIN_ROWS && rows <= MAX_ROWS && out % PANEL == 0 && out * in * 4 >= MIN_WEIGHT_BYTES
        && x.getDataType() == DataType.FLOAT32 && weight.getDataType() == DataType.FLOAT32
        && Device.Type.CPU.equals(x.getDevice().getDeviceType());
  }

  /** x·Wᵀ (+ b): x (..., in), weight (out, in), bias (out) or null; the result (..., out). */
  static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    long out = weight.getShape().get(0);
    long in = weight.getShape().get(1);
    long rows = x.getShape().size() / in;
    long panels = out / PANEL;
    var panelled = weight.reshape(panels, PANEL, in).transpose(0, 2, 1); // (P, in, PANEL), a view
    var shared = x.reshape(1, rows, in).broadcast(new Shape(panels, rows, in)); // a view, no copy
    var y = shared.batchMatMul(panelled).transpose(1, 0, 2).reshape(rows, out); // (rows, out)
    if (bias != null) {
      y = y.add(bias);
    }
    var leading = x.getShape().slice(0, x.getShape().dimension() - 1);
    return y.reshape(leading.addAll(new Shape(out)));
  }
}
