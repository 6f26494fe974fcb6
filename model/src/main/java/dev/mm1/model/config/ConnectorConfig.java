package dev.mm1.model.config;

/**
 * The vision-language connector that maps the encoder's patch grid to {@code imageTokens} vectors
 * of the decoder width.
 *
 * @param type AVERAGE_POOL, ATTENTION_POOL or C_ABSTRACTOR
 * @param imageTokens tokens per image; a perfect square (16, 64, 144, ...)
 * @param width C-Abstractor channel width (ignored by the other types)
 * @param depth residual conv blocks per C-Abstractor stage (ignored by the other types)
 * @param heads attention heads of the attention pool (divide the encoder width; ignored by the others)
 */
public record ConnectorConfig(ConnectorType type, int imageTokens, int width, int depth, int heads) {

  /** The connector architectures compared in the MM1 paper. */
  public enum ConnectorType {
    AVERAGE_POOL,
    ATTENTION_POOL,
    C_ABSTRACTOR
  }

  public ConnectorConfig {
    Require.present("connector.type (AVERAGE_POOL, ATTENTION_POOL or C_ABSTRACTOR)", type);
    Require.squareRoot("connector.imageTokens", imageTokens);
    Require.positive("connector.width", width);
    Require.positive("connector.depth", depth);
    Require.positive("connector.heads", heads);
  }

  /** Side of the square token grid, √imageTokens. */
  public int gridSize() {
    return (int) Math.round(Math.sqrt(imageTokens));
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().type(type).imageTokens(imageTokens).width(width).depth(depth).heads(heads);
  }

  /** Builder with HoneyBee's depth 3 and 8 attention-pool heads as defaults. */
  public static final class Builder {
    private ConnectorType type = ConnectorType.C_ABSTRACTOR;
    private int imageTokens;
    private int width;
    private int depth = 3;
    private int heads = 8;

    public Builder type(ConnectorType v) { type = v; return this; }
    public Builder imageTokens(int v) { imageTokens = v; return this; }
    public Builder width(int v) { width = v; return this; }
    public Builder depth(int v) { depth = v; return this; }
    public Builder heads(int v) { heads = v; return this; }

    public ConnectorConfig build() {
      return new ConnectorConfig(type, imageTokens, width, depth, heads);
    }
  }
}
