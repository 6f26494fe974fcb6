package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.DecoderConfig;

/** One pre-norm decoder block: x + attn(norm(x)), then h + mlp(norm(h)), the MLP dense or MoE. */
public final class DecoderBlock extends MM1Block {
  private final int index;
  private final RmsNorm attentionNorm;
  private final Attention attention;
  private final RmsNorm mlpNorm;
  private final SwiGluMlp mlp;
  private final MixtureOfExperts moe;

  /** A block's output and, in MoE blocks, the routing result (else null). */
  record Output(NDArray hidden, MixtureOfExperts.Output routing) {}

  public DecoderBlock(DecoderConfig config, int index) {
    this.index = index;
    this.attentionNorm = child("attentionNorm", new RmsNorm(config.width(), config.normEps()));
    this.attention = child("attention", new Attention(config.width(), config.heads(), config.kvHeads(), false,
        true, config.ropeTheta()));
    this.mlpNorm = child("mlpNorm", new RmsNorm(config.width(), config.normEps()));
    if (config.isMoe() && config.moe().isMoeLayer(index)) {
      this.moe = child("moe", new MixtureOfExperts(config.width(), config.moe()));
      this.mlp = null;
    } else {
      this.mlp = child("mlp", new SwiGluMlp(config.width(), config.mlpWidth()));
      this.moe = null;
    }
  }

  /** Not used alone: a decoder block needs the pass's mask and positions ({@link Decoder#run}). */
  @Override
  public NDArray forward(ParameterStore store, NDArray x, boolean training) {
    throw new UnsupportedOperationException("a decoder block runs inside Decoder.run, which builds its attention mask");
  }

  Output run(ParameterStore store, NDArray x, boolean training, KvCache cache, AttentionContext pass) {
    var normed = attentionNorm.forward(store, x, training);
    var h = x.add(attention.attend(store, normed, normed, training, cache, index, pass)); // (B, T, D)
    var mlpInput = mlpNorm.forward(store, h, training);
    if (moe == null) {
      return new Output(h.add(mlp.forward(store, mlpInput, training)), null);
    }
    var routing = moe.route(store, mlpInput, training);
    return new Output(h.add(routing.output()), routing);
  }
}
