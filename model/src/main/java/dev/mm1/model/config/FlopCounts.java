package dev.mm1.model.config;

/**
 * Floating-point operations of one forward pass, from the shapes (matrix products and attention
 * scores; norms, activations and softmax are left out as they are memory-bound and small). A
 * training step (forward + backward) costs three times the forward.
 */
public final class FlopCounts {
  private FlopCounts() {}

  /**
   * Forward FLOPs of {@code sequences} sequences of {@code length} decoder positions each holding
   * one image at the encoder's trained resolution.
   */
  public static double forward(MM1Config config, int sequences, int length, int images) {
    return encoder(config.encoder(), images) + connector(config, images) + decoder(config.decoder(), sequences, length);
  }

  static double encoder(VisionEncoderConfig e, int images) {
    double c = e.width();
    double patches = e.patches();
    double tokens = patches + (e.classToken() ? 1 : 0);
    double patchEmbedding = 2 * patches * c * e.channels() * e.patchSize() * e.patchSize();
    double perLayer = 2 * tokens * (4 * c * c + 2 * c * e.mlpWidth()) + 4 * tokens * tokens * c;
    return images * (patchEmbedding + e.layers() * perLayer);
  }

  static double connector(MM1Config config, int images) {
    var k = config.connector();
    double c = config.encoder().width();
    double d = config.decoder().width();
    double patches = config.encoder().patches();
    double m = k.imageTokens();
    double perImage = switch (k.type()) {
      case AVERAGE_POOL -> 2 * m * c * d;
      case ATTENTION_POOL -> 2 * m * 2 * c * c + 2 * patches * 2 * c * c + 4 * m * patches * c + 2 * m * c * d;
      case C_ABSTRACTOR -> {
        double h = k.width();
        double flops = 2 * patches * residualBlockMacs(c, h) + 2 * patches * (k.depth() - 1) * residualBlockMacs(h, h);
        flops += 2 * m * k.depth() * residualBlockMacs(h, h);
        yield flops + 2 * m * (h * d + d * d);
      }
    };
    return images * perImage;
  }

  private static double residualBlockMacs(double in, double out) {
    return in * out + 9 * out * out + out * out + (in == out ? 0 : in * out);
  }

  static double decoder(DecoderConfig d, int sequences, int length) {
    double tokens = (double) sequences * length;
    double dim = d.width();
    double kv = (double) d.kvHeads() * d.headSize();
    double flops = 0;
    for (int layer = 0; layer < d.layers(); layer++) {
      flops += 2 * tokens * (2 * dim * dim + 2 * dim * kv);
      flops += 4 * sequences * (double) length * length * dim; // scores and weighted values, full square
      if (d.isMoe() && d.moe().isMoeLayer(layer)) {
        flops += 2 * tokens * (dim * d.moe().experts() + d.moe().topK() * 3 * dim * d.moe().expertMlpWidth());
      } else {
        flops += 2 * tokens * 3 * dim * d.mlpWidth();
      }
    }
    return flops + 2 * tokens * dim * d.vocabSize(); // output head
  }
}
