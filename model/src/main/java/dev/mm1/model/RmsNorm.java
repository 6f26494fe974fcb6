package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/** Root-mean-square normalisation over the last axis with a learned gain (the decoder's norm). */
public final class RmsNorm extends MM1Block {
  private final Parameter weight;
  private final float eps;

  public RmsNorm(long dim, double eps) {
    this.weight = parameter("weight", new Shape(dim), ONES);
    this.eps = (float) eps;
  }

  @Override
  public NDArray forward(ParameterStore store, NDArray x, boolean training) {
    int last = x.getShape().dimension() - 1;
    var meanSquare = x.square().mean(new int[] {last}, true); // (..., 1)
    return x.div(meanSquare.add(eps).sqrt()).mul(value(store, weight, x, training));
  }
}
