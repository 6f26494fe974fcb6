package dev.mm1.model.config;

/**
 * The CLIP-style ViT image encoder: conv patch embedding, optional class token, learned position
 * embeddings (interpolated when the input resolution differs from {@code resolution}), optional
 * pre-norm, pre-norm transformer blocks (LayerNorm, multi-head self-attention, GELU MLP) and a
 * final LayerNorm.
 *
 * @param resolution trained input resolution in pixels (square images)
 * @param patchSize patch side in pixels (divides resolution); 14 for the paper's encoders
 * @param channels input image channels (3)
 * @param width encoder width C
 * @param layers number of transformer blocks
 * @param heads attention heads (divide width)
 * @param mlpWidth hidden width of the MLP
 * @param classToken whether a learned class token is prepended (it is not part of the output grid)
 * @param preNorm whether a LayerNorm is applied to the embeddings before the blocks (CLIP's ln_pre)
 * @param activation MLP activation: GELU, or QUICK_GELU as in OpenAI's CLIP weights
 * @param normEps LayerNorm epsilon
 * @param freeze whether the encoder is frozen: no gradients, no optimizer state
 */
public record VisionEncoderConfig(
    int resolution,
    int patchSize,
    int channels,
    int width,
    int layers,
    int heads,
    int mlpWidth,
    boolean classToken,
    boolean preNorm,
    Activation activation,
    double normEps,
    boolean freeze) {

  /** MLP activation of the encoder. */
  public enum Activation {
    GELU,
    QUICK_GELU
  }

  public VisionEncoderConfig {
    Require.positive("encoder.resolution", resolution);
    Require.positive("encoder.patchSize", patchSize);
    Require.divisible("encoder.resolution", resolution, "encoder.patchSize", patchSize);
    Require.positive("encoder.channels", channels);
    Require.positive("encoder.width", width);
    Require.positive("encoder.layers", layers);
    Require.positive("encoder.heads", heads);
    Require.divisible("encoder.width", width, "encoder.heads", heads);
    Require.positive("encoder.mlpWidth", mlpWidth);
    Require.present("encoder.activation (GELU or QUICK_GELU)", activation);
    Require.positive("encoder.normEps", normEps);
  }

  /** Patches per side at the trained resolution. */
  public int gridSize() {
    return resolution / patchSize;
  }

  public int patches() {
    return gridSize() * gridSize();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().resolution(resolution).patchSize(patchSize).channels(channels).width(width)
        .layers(layers).heads(heads).mlpWidth(mlpWidth).classToken(classToken).preNorm(preNorm)
        .activation(activation).normEps(normEps).freeze(freeze);
  }

  /** Builder with CLIP's defaults: 3 channels, class token, pre-norm, GELU, eps 1e-5, trainable. */
  public static final class Builder {
    private int resolution;
    private int patchSize = 14;
    private int channels = 3;
    private int width;
    private int layers;
    private int heads;
    private int mlpWidth;
    private boolean classToken = true;
    private boolean preNorm = true;
    private Activation activation = Activation.GELU;
    private double normEps = 1e-5;
    private boolean freeze;

    public Builder resolution(int v) { resolution = v; return this; }
    public Builder patchSize(int v) { patchSize = v; return this; }
    public Builder channels(int v) { channels = v; return this; }
    public Builder width(int v) { width = v; return this; }
    public Builder layers(int v) { layers = v; return this; }
    public Builder heads(int v) { heads = v; return this; }
    public Builder mlpWidth(int v) { mlpWidth = v; return this; }
    public Builder classToken(boolean v) { classToken = v; return this; }
    public Builder preNorm(boolean v) { preNorm = v; return this; }
    public Builder activation(Activation v) { activation = v; return this; }
    public Builder normEps(double v) { normEps = v; return this; }
    public Builder freeze(boolean v) { freeze = v; return this; }

    public VisionEncoderConfig build() {
      return new VisionEncoderConfig(resolution, patchSize, channels, width, layers, heads, mlpWidth,
          classToken, preNorm, activation, normEps, freeze);
    }
  }
}
