package dev.mm1.model;

import dev.mm1.model.config.ConnectorConfig;

/**
 * A vision-language connector: maps the encoder's patch grid (B, N, C) to
 * {@code imageTokens} vectors of the decoder width (B, M, D).
 */
public abstract sealed class Connector extends MM1Block
    permits AveragePoolConnector, AttentionPoolConnector, CAbstractor {

  /** The connector of {@code config} between an encoder of width {@code encoderWidth} and the decoder. */
  public static Connector create(ConnectorConfig config, int encoderWidth, int patches, int decoderWidth) {
    return switch (config.type()) {
      case AVERAGE_POOL -> new AveragePoolConnector(config, encoderWidth, decoderWidth);
      case ATTENTION_POOL -> new AttentionPoolConnector(config, encoderWidth, decoderWidth);
      case C_ABSTRACTOR -> new CAbstractor(config, encoderWidth, patches, decoderWidth);
    };
  }

  /** Side of the square patch grid of N patches, else an error naming the shape. */
  static int gridSide(long patches) {
    int side = (int) Math.round(Math.sqrt(patches));
    if ((long) side * side != patches) {
      throw new IllegalArgumentException(
          "the connector needs a square patch grid; got " + patches + " patches (use square images)");
    }
    return side;
  }
}
