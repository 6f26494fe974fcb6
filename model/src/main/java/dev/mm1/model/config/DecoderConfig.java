package dev.mm1.model.config;

/**
 * The decoder LLM: token embedding, pre-norm blocks of RMSNorm → causal grouped-query attention
 * with rotary position embeddings → RMSNorm → SwiGLU MLP (or mixture of experts), final RMSNorm and
 * output head.
 *
 * @param vocabSize token ids 0..vocabSize-1
 * @param width model width D
 * @param layers number of blocks
 * @param heads query heads (divide width)
 * @param kvHeads key/value heads for grouped-query attention (divide heads; = heads is plain MHA)
 * @param mlpWidth hidden width of the dense SwiGLU MLPs
 * @param maxSequenceLength longest sequence (text and image tokens) the model accepts
 * @param ropeTheta base of the rotary frequencies
 * @param normEps epsilon of RMSNorm
 * @param tieEmbeddings whether the output head reuses the token embedding
 * @param moe mixture-of-experts settings, or null for a dense decoder
 */
public record DecoderConfig(
    int vocabSize,
    int width,
    int layers,
    int heads,
    int kvHeads,
    int mlpWidth,
    int maxSequenceLength,
    double ropeTheta,
    double normEps,
    boolean tieEmbeddings,
    MoeConfig moe) {

  public DecoderConfig {
    Require.positive("decoder.vocabSize", vocabSize);
    Require.positive("decoder.width", width);
    Require.positive("decoder.layers", layers);
    Require.positive("decoder.heads", heads);
    Require.divisible("decoder.width", width, "decoder.heads", heads);
    Require.positive("decoder.kvHeads", kvHeads);
    Require.divisible("decoder.heads", heads, "decoder.kvHeads", kvHeads);
    if ((width / heads) % 2 != 0) {
      throw new IllegalArgumentException("decoder head size width/heads = " + width / heads
          + " is odd; allowed: an even head size (rotary embeddings rotate pairs of channels)");
    }
    Require.positive("decoder.mlpWidth", mlpWidth);
    Require.positive("decoder.maxSequenceLength", maxSequenceLength);
    Require.positive("decoder.ropeTheta", ropeTheta);
    Require.positive("decoder.normEps", normEps);
  }

  public int headSize() {
    return width / heads;
  }

  public boolean isMoe() {
    return moe != null;
  }

  /** Number of mixture-of-experts layers (0 for a dense decoder). */
  public int moeLayers() {
    if (moe == null) {
      return 0;
    }
    int count = 0;
    for (int layer = 0; layer < layers; layer++) {
      count += moe.isMoeLayer(layer) ? 1 : 0;
    }
    return count;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().vocabSize(vocabSize).width(width).layers(layers).heads(heads).kvHeads(kvHeads)
        .mlpWidth(mlpWidth).maxSequenceLength(maxSequenceLength).ropeTheta(ropeTheta).normEps(normEps)
        .tieEmbeddings(tieEmbeddings).moe(moe);
  }

  /** Builder; kvHeads defaults to heads (no grouping). */
  public static final class Builder {
    private int vocabSize;
    private int width;
    private int layers;
    private int heads;
    private int kvHeads;
    private int mlpWidth;
    private int maxSequenceLength = 2048;
    private double ropeTheta = 10_000;
    private double normEps = 1e-5;
    private boolean tieEmbeddings;
    private MoeConfig moe;

    public Builder vocabSize(int v) { vocabSize = v; return this; }
    public Builder width(int v) { width = v; return this; }
    public Builder layers(int v) { layers = v; return this; }
    public Builder heads(int v) { heads = v; return this; }
    public Builder kvHeads(int v) { kvHeads = v; return this; }
    public Builder mlpWidth(int v) { mlpWidth = v; return this; }
    public Builder maxSequenceLength(int v) { maxSequenceLength = v; return this; }
    public Builder ropeTheta(double v) { ropeTheta = v; return this; }
    public Builder normEps(double v) { normEps = v; return this; }
    public Builder tieEmbeddings(boolean v) { tieEmbeddings = v; return this; }
    public Builder moe(MoeConfig v) { moe = v; return this; }

    public DecoderConfig build() {
      return new DecoderConfig(vocabSize, width, layers, heads, kvHeads == 0 ? heads : kvHeads, mlpWidth,
          maxSequenceLength, ropeTheta, normEps, tieEmbeddings, moe);
    }
  }
}
