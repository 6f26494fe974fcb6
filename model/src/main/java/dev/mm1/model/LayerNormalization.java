package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;

/** LayerNorm over the last axis with gain and bias (the image encoder's norm). */
public final class LayerNormalization extends MM1Block {
  private final Parameter weight;
  private final Parameter bias;
  private final Shape normalized;
  private final float eps;

  public LayerNormalization(long dim, double eps) {
    this.weight = parameter("weight", new Shape(dim), ONES);
    this.bias = parameter("bias", new Shape(dim), ZEROS);
    this.normalized = new Shape(dim);
    this.eps = (float) eps;
  }

  @Override
  public NDArray forward(ParameterStore store, NDArray x, boolean training) {
    return LayerNorm.layerNorm(x, normalized, value(store, weight, x, training), value(store, bias, x, training), eps)
        .singletonOrThrow();
  }
}
