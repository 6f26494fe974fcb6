package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;

/**
 * The C-Abstractor's residual block (RegNet-style bottleneck with ratio 1, as in HoneyBee, without
 * squeeze-excitation): 1×1 conv → LN → SiLU → 3×3 conv → LN → SiLU → 1×1 conv → LN, plus the
 * input (projected by a 1×1 conv + LN when the width changes), then SiLU. Works on (B, C, H, W).
 */
public final class ResidualConvBlock extends MM1Block {
  private final Parameter conv1;
  private final Parameter conv2;
  private final Parameter conv3;
  private final LayerNormalization norm1;
  private final LayerNormalization norm2;
  private final LayerNormalization norm3;
  private final Parameter shortcut;
  private final LayerNormalization shortcutNorm;

  public ResidualConvBlock(int in, int out) {
    this.conv1 = parameter("conv1", new Shape(out, in, 1, 1), WEIGHT_INIT);
    this.norm1 = child("norm1", new LayerNormalization(out, 1e-6));
    this.conv2 = parameter("conv2", new Shape(out, out, 3, 3), WEIGHT_INIT);
    this.norm2 = child("norm2", new LayerNormalization(out, 1e-6));
    this.conv3 = parameter("conv3", new Shape(out, out, 1, 1), WEIGHT_INIT);
    this.norm3 = child("norm3", new LayerNormalization(out, 1e-6));
    if (in != out) {
      this.shortcut = parameter("shortcut", new Shape(out, in, 1, 1), WEIGHT_INIT);
      this.shortcutNorm = child("shortcutNorm", new LayerNormalization(out, 1e-6));
    } else {
      this.shortcut = null;
      this.shortcutNorm = null;
    }
  }

  @Override
  public NDArray forward(ParameterStore store, NDArray x, boolean training) {
    var y = Scalars.silu(norm(store, norm1, conv(store, conv1, x, 0, training), training));
    y = Scalars.silu(norm(store, norm2, conv(store, conv2, y, 1, training), training));
    y = norm(store, norm3, conv(store, conv3, y, 0, training), training); // (B, out, H, W)
    var residual = shortcut == null ? x : norm(store, shortcutNorm, conv(store, shortcut, x, 0, training), training);
    return Scalars.silu(y.add(residual));
  }

  private static NDArray conv(ParameterStore store, Parameter weight, NDArray x, int padding, boolean training) {
    return Conv2d.conv2d(x, value(store, weight, x, training), null, new Shape(1, 1), new Shape(padding, padding),
        new Shape(1, 1), 1).singletonOrThrow();
  }

  /** LayerNorm over channels of (B, C, H, W). */
  private static NDArray norm(ParameterStore store, LayerNormalization norm, NDArray x, boolean training) {
    return norm.forward(store, x.transpose(0, 2, 3, 1), training).transpose(0, 3, 1, 2);
  }
}
