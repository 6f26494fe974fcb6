package dev.mm1.model.config;

/**
 * Parameter counts of a configuration, computed from the shapes alone (no weights are allocated,
 * so the 30B and 64B presets count in microseconds). A test checks these formulas against the
 * parameters of built models.
 *
 * @param encoder parameters of the image encoder
 * @param connector parameters of the vision-language connector
 * @param decoder all decoder parameters, every expert included
 * @param decoderActive decoder parameters used per token (router plus top-k experts in MoE layers)
 */
public record ParameterCounts(long encoder, long connector, long decoder, long decoderActive) {

  public long total() {
    return encoder + connector + decoder;
  }

  /** Parameters used per token: encoder, connector and the active part of the decoder. */
  public long active() {
    return encoder + connector + decoderActive;
  }

  public static ParameterCounts of(MM1Config config) {
    var encoderWidth = config.encoder().width();
    return new ParameterCounts(
        encoder(config.encoder()),
        connector(config.connector(), encoderWidth, config.encoder().patches(), config.decoder().width()),
        decoder(config.decoder(), false),
        decoder(config.decoder(), true));
  }

  static long encoder(VisionEncoderConfig e) {
    long c = e.width();
    long count = c * e.channels() * e.patchSize() * e.patchSize();
    count += (e.patches() + (e.classToken() ? 1 : 0)) * c + (e.classToken() ? c : 0);
    count += e.preNorm() ? 2 * c : 0;
    long attention = 4 * (c * c + c);
    long mlp = c * e.mlpWidth() + e.mlpWidth() + e.mlpWidth() * c + c;
    count += e.layers() * (2 * c + attention + 2 * c + mlp);
    return count + 2 * c;
  }

  static long connector(ConnectorConfig k, long encoderWidth, long patches, long decoderWidth) {
    return switch (k.type()) {
      case AVERAGE_POOL -> encoderWidth * decoderWidth + decoderWidth;
      case ATTENTION_POOL -> k.imageTokens() * encoderWidth + 4 * (encoderWidth * encoderWidth + encoderWidth)
          + encoderWidth * decoderWidth + decoderWidth;
      case C_ABSTRACTOR -> {
        long h = k.width();
        long count = patches * encoderWidth;
        count += residualBlock(encoderWidth, h) + (k.depth() - 1) * residualBlock(h, h);
        count += k.depth() * residualBlock(h, h);
        yield count + h * decoderWidth + decoderWidth + decoderWidth * decoderWidth + decoderWidth;
      }
    };
  }

  private static long residualBlock(long in, long out) {
    long count = in * out + 2 * out + out * out * 9 + 2 * out + out * out + 2 * out;
    return in == out ? count : count + in * out + 2 * out;
  }

  static long decoder(DecoderConfig d, boolean activeOnly) {
    long dim = d.width();
    long kv = (long) d.kvHeads() * d.headSize();
    long attention = 2 * dim * dim + 2 * dim * kv;
    long count = (long) d.vocabSize() * dim;
    for (int layer = 0; layer < d.layers(); layer++) {
      count += 2 * dim + attention;
      if (d.isMoe() && d.moe().isMoeLayer(layer)) {
        var moe = d.moe();
        long experts = activeOnly ? moe.topK() : moe.experts();
        count += dim * moe.experts() + experts * 3 * dim * moe.expertMlpWidth();
      } else {
        count += 3 * dim * d.mlpWidth();
      }
    }
    count += dim;
    return d.tieEmbeddings() ? count : count + (long) d.vocabSize() * dim;
  }
}
