package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.VisionEncoderConfig;

/** One pre-norm ViT block: x + attn(ln1(x)), then h + mlp(ln2(h)). */
public final class VisionBlock extends MM1Block {
  private final LayerNormalization norm1;
  private final Attention attention;
  private final LayerNormalization norm2;
  private final GeluMlp mlp;

  public VisionBlock(VisionEncoderConfig config) {
    int width = config.width();
    this.norm1 = child("norm1", new LayerNormalization(width, config.normEps()));
    this.attention = child("attention", new Attention(width, config.heads(), config.heads(), true, false, 0));
    this.norm2 = child("norm2", new LayerNormalization(width, config.normEps()));
    this.mlp = child("mlp", new GeluMlp(width, config.mlpWidth(), config.activation()));
  }

  @Override
  public NDArray forward(ParameterStore store, NDArray x, boolean training) {
    var h = x.add(attention.forward(store, norm1.forward(store, x, training), training)); // (B, N, C)
    return h.add(mlp.forward(store, norm2.forward(store, h, training), training));
  }
}
