package dev.mm1.model.config;

/**
 * Mixture-of-experts settings of the decoder: in every {@code everyNLayers}-th layer (layers
 * {@code everyNLayers-1, 2·everyNLayers-1, ...}, counting from 0) the MLP becomes {@code experts} SwiGLU experts
 * behind a softmax router with top-k routing.
 *
 * @param experts number of experts E (>= 2)
 * @param topK experts per token (1..E); MM1 uses 2
 * @param everyNLayers a MoE layer every this many decoder layers (1 = every layer)
 * @param expertMlpWidth hidden width of each expert's SwiGLU MLP
 * @param auxLossCoefficient weight of the auxiliary load-balancing loss (MM1: 0.01)
 * @param zLossCoefficient weight of the router z-loss (MM1: 0.001)
 * @param capacityFactor 0 = no token dropping; otherwise each expert takes at most
 *     ceil(capacityFactor · tokens · topK / experts) tokens per batch, later tokens dropped
 */
public record MoeConfig(
    int experts,
    int topK,
    int everyNLayers,
    int expertMlpWidth,
    double auxLossCoefficient,
    double zLossCoefficient,
    double capacityFactor) {

  public MoeConfig {
    if (experts < 2) {
      throw new IllegalArgumentException("moe.experts is " + experts + "; allowed: an integer >= 2");
    }
    Require.positive("moe.topK", topK);
    if (topK > experts) {
      throw new IllegalArgumentException(
          "moe.topK " + topK + " is larger than moe.experts " + experts + "; allowed: 1.." + experts);
    }
    Require.positive("moe.everyNLayers", everyNLayers);
    Require.positive("moe.expertMlpWidth", expertMlpWidth);
    Require.nonNegative("moe.auxLossCoefficient", auxLossCoefficient);
    Require.nonNegative("moe.zLossCoefficient", zLossCoefficient);
    Require.nonNegative("moe.capacityFactor", capacityFactor);
  }

  /** Whether decoder layer {@code layer} (from 0) is a mixture-of-experts layer. */
  public boolean isMoeLayer(int layer) {
    return layer % everyNLayers == everyNLayers - 1;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().experts(experts).topK(topK).everyNLayers(everyNLayers).expertMlpWidth(expertMlpWidth)
        .auxLossCoefficient(auxLossCoefficient).zLossCoefficient(zLossCoefficient)
        .capacityFactor(capacityFactor);
  }

  /** Builder with MM1's defaults: top-2, coefficients 0.01 and 0.001, no token dropping. */
  public static final class Builder {
    private int experts;
    private int topK = 2;
    private int everyNLayers = 1;
    private int expertMlpWidth;
    private double auxLossCoefficient = 0.01;
    private double zLossCoefficient = 0.001;
    private double capacityFactor;

    public Builder experts(int v) { experts = v; return this; }
    public Builder topK(int v) { topK = v; return this; }
    public Builder everyNLayers(int v) { everyNLayers = v; return this; }
    public Builder expertMlpWidth(int v) { expertMlpWidth = v; return this; }
    public Builder auxLossCoefficient(double v) { auxLossCoefficient = v; return this; }
    public Builder zLossCoefficient(double v) { zLossCoefficient = v; return this; }
    public Builder capacityFactor(double v) { capacityFactor = v; return this; }

    public MoeConfig build() {
      return new MoeConfig(experts, topK, everyNLayers, expertMlpWidth, auxLossCoefficient, zLossCoefficient,
          capacityFactor);
    }
  }
}
