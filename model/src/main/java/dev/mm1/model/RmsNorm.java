package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
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
    var gain = value(store, weight, x, training);
    if (x.getDataType() == DataType.FLOAT16) {
      // float16 squares overflow past |x| = 256: normalise x / s with s = max |x| (no gradient; the
      // result does not depend on s), so that x/√(mean x² + ε) = (x/s)/√(mean (x/s)² + (√ε/s)²);
      // s ≥ 1e-3 keeps √ε/s ≤ 3.2 for ε ≤ 1e-5, where 1/s² alone would overflow.
      var s = x.abs().max(new int[] {last}, true).maximum(1e-3f).stopGradient(); // (..., 1)
      var scaled = x.div(s);
      var meanSquare = scaled.square().mean(new int[] {last}, true);
      var epsilon = s.pow(-1).mul((float) Math.sqrt(eps)).square();
      return scaled.div(meanSquare.add(epsilon).sqrt()).mul(gain);
    }
    var meanSquare = x.square().mean(new int[] {last}, true); // (..., 1)
    return x.div(meanSquare.add(eps).sqrt()).mul(gain);
  }
}
