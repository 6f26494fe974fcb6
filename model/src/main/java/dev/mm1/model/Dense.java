package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

/** A linear layer y = x·Wᵀ + b with the weight stored as (out, in), PyTorch's layout. */
public final class Dense extends MM1Block {
  private final Parameter weight;
  private final Parameter bias;

  public Dense(long in, long out, boolean bias) {
    this.weight = parameter("weight", new Shape(out, in), WEIGHT_INIT);
    this.bias = bias ? parameter("bias", new Shape(out), ZEROS) : null;
  }

  /** The weight (out, in) as a forward pass on {@code like}'s device sees it. */
  NDArray weight(ParameterStore store, NDArray like, boolean training) {
    return value(store, weight, like, training);
  }

  @Override
  public NDArray forward(ParameterStore store, NDArray x, boolean training) {
    var w = value(store, weight, x, training);
    var b = bias == null ? null : value(store, bias, x, training);
    return linear(x, w, b, training); // (..., out)
  }

  /**
   * x·Wᵀ (+ b) for x (..., in), weight (out, in), bias (out) or null: one GEMM, or in inference the
   * panelled product where that was measured faster ({@link PanelLinear}, a batched decoding step).
   */
  static NDArray linear(NDArray x, NDArray weight, NDArray bias, boolean training) {
    if (!training && PanelLinear.applies(x, weight)) {
      return PanelLinear.linear(x, weight, bias);
    }
    return Linear.linear(x, weight, bias).singletonOrThrow();
  }
}
