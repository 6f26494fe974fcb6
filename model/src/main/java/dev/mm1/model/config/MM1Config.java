package dev.mm1.model.config;

/**
 * A whole MM1 model: image encoder, vision-language connector and decoder, plus the id of the
 * {@code <image>} placeholder and the padding token in the decoder's vocabulary.
 *
 * @param name preset or user-chosen name
 * @param encoder the ViT image encoder
 * @param connector the vision-language connector
 * @param decoder the decoder LLM
 * @param imageTokenId id of {@code <image>}, replaced by the connector's tokens
 * @param padTokenId id of the padding token, ignored by the loss
 */
public record MM1Config(
    String name,
    VisionEncoderConfig encoder,
    ConnectorConfig connector,
    DecoderConfig decoder,
    int imageTokenId,
    int padTokenId) {

  public MM1Config {
    Require.present("model.name", name);
    Require.present("model.encoder", encoder);
    Require.present("model.connector", connector);
    Require.present("model.decoder", decoder);
    if (connector.gridSize() > encoder.gridSize()) {
      throw new IllegalArgumentException("connector.imageTokens " + connector.imageTokens() + " needs a "
          + connector.gridSize() + "x" + connector.gridSize() + " grid, finer than the encoder's "
          + encoder.gridSize() + "x" + encoder.gridSize() + " patch grid; allowed: at most "
          + encoder.patches() + " tokens");
    }
    if (connector.type() == ConnectorConfig.ConnectorType.ATTENTION_POOL) {
      Require.divisible("encoder.width", encoder.width(), "connector.heads", connector.heads());
    }
    checkTokenId("model.imageTokenId", imageTokenId, decoder.vocabSize());
    checkTokenId("model.padTokenId", padTokenId, decoder.vocabSize());
  }

  private static void checkTokenId(String setting, int id, int vocabSize) {
    if (id < 0 || id >= vocabSize) {
      throw new IllegalArgumentException(
          setting + " is " + id + "; allowed: 0.." + (vocabSize - 1) + " (decoder.vocabSize " + vocabSize + ")");
    }
  }

  public MM1Config withEncoder(VisionEncoderConfig e) {
    return new MM1Config(name, e, connector, decoder, imageTokenId, padTokenId);
  }

  public MM1Config withConnector(ConnectorConfig c) {
    return new MM1Config(name, encoder, c, decoder, imageTokenId, padTokenId);
  }

  public MM1Config withDecoder(DecoderConfig d) {
    return new MM1Config(name, encoder, connector, d, imageTokenId, padTokenId);
  }
}
