package dev.mm1.model.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The named model configurations. {@code tiny*} and {@code small*} use the bundled tokenizer
 * (8192 ids, {@code <|pad|>} 0, {@code <image>} 3); the paper's sizes assume a 100 352-id
 * vocabulary with the same special ids. The MM1 paper publishes parameter counts but not layer
 * shapes, so the decoders use standard shapes (head size 128, SwiGLU width a multiple of 256,
 * tied embeddings) chosen to hit the published sizes:
 *
 * <table>
 *   <caption>decoder shapes</caption>
 *   <tr><th>preset</th><th>width</th><th>layers</th><th>heads/kv</th><th>FFN</th><th>decoder params</th><th>paper</th></tr>
 *   <tr><td>mm1-1b</td><td>2048</td><td>22</td><td>16/8</td><td>5632</td><td>1.244B</td><td>1.2B</td></tr>
 *   <tr><td>mm1-3b</td><td>2560</td><td>28</td><td>20/20</td><td>8960</td><td>2.918B</td><td>2.9B</td></tr>
 *   <tr><td>mm1-7b</td><td>4096</td><td>28</td><td>32/8</td><td>14592</td><td>6.606B</td><td>6.4B</td></tr>
 *   <tr><td>mm1-30b</td><td>6656</td><td>55</td><td>52/52</td><td>17920</td><td>30.10B</td><td>30B</td></tr>
 *   <tr><td>mm1-3b-moe</td><td colspan="4">mm1-3b, 64 experts (top-2) in every 2nd layer</td><td>63.61B</td><td>64B</td></tr>
 *   <tr><td>mm1-7b-moe</td><td colspan="4">mm1-7b, 32 experts (top-2) in every 4th layer</td><td>45.52B</td><td>47B</td></tr>
 * </table>
 *
 * <p>{@code mm1-1b} pairs with ViT-L/14 at 336 px (OpenAI CLIP: QuickGELU); the others with
 * ViT-H/14 at 378 px. All paper presets use a 144-token C-Abstractor.
 */
public final class Presets {
  /** Vocabulary of the bundled tokenizer. */
  public static final int BUNDLED_VOCAB = 8192;

  /** Vocabulary assumed for the paper-size presets. */
  public static final int PAPER_VOCAB = 100_352;

  public static final int PAD_TOKEN = 0;
  public static final int IMAGE_TOKEN = 3;

  private static final Map<String, Supplier<MM1Config>> PRESETS = new LinkedHashMap<>();

  static {
    PRESETS.put("tiny", Presets::tiny);
    PRESETS.put("tiny-moe", () -> withMoe(tiny(), "tiny-moe", 4, 2, 352));
    PRESETS.put("small", Presets::small);
    PRESETS.put("small-moe", () -> withMoe(small(), "small-moe", 4, 2, 2048));
    PRESETS.put("mm1-1b", () -> paper("mm1-1b", vitL336(), 2048, 22, 16, 8, 5632));
    PRESETS.put("mm1-3b", () -> paper("mm1-3b", vitH378(), 2560, 28, 20, 20, 8960));
    PRESETS.put("mm1-7b", () -> paper("mm1-7b", vitH378(), 4096, 28, 32, 8, 14592));
    PRESETS.put("mm1-30b", () -> paper("mm1-30b", vitH378(), 6656, 55, 52, 52, 17920));
    PRESETS.put("mm1-3b-moe", () -> withMoe(get("mm1-3b"), "mm1-3b-moe", 64, 2, 8960));
    PRESETS.put("mm1-7b-moe", () -> withMoe(get("mm1-7b"), "mm1-7b-moe", 32, 4, 14592));
  }

  private static final Map<String, Supplier<VisionEncoderConfig>> VISION = new LinkedHashMap<>();

  static {
    VISION.put("ViT-Tiny", () -> VisionEncoderConfig.builder().resolution(32).patchSize(8).width(128).layers(4)
        .heads(4).mlpWidth(512).build());
    VISION.put("ViT-B/16", () -> VisionEncoderConfig.builder().resolution(224).patchSize(16).width(768).layers(12)
        .heads(12).mlpWidth(3072).build());
    VISION.put("ViT-L/14", Presets::vitL336);
    VISION.put("ViT-H/14", Presets::vitH378);
  }

  private Presets() {}

  /** Image-encoder architecture names (the spec's {@code imageEncoder.architecture}). */
  public static List<String> visionArchitectures() {
    return List.copyOf(VISION.keySet());
  }

  /**
   * The ViT called {@code name} at its usual resolution (ViT-L/14 at 336 px with QuickGELU as in
   * OpenAI's CLIP, ViT-H/14 at MM1's 378 px); an unknown name is an error listing the known ones.
   */
  public static VisionEncoderConfig visionArchitecture(String name) {
    var architecture = VISION.get(name);
    if (architecture == null) {
      throw new IllegalArgumentException("unknown image encoder architecture '" + name + "'; allowed: "
          + String.join(", ", visionArchitectures()));
    }
    return architecture.get();
  }

  /** Preset names in order of size. */
  public static List<String> names() {
    return List.copyOf(PRESETS.keySet());
  }

  /** The preset called {@code name}; an unknown name is an error listing the known ones. */
  public static MM1Config get(String name) {
    var preset = PRESETS.get(name);
    if (preset == null) {
      throw new IllegalArgumentException("unknown preset '" + name + "'; allowed: " + String.join(", ", names()));
    }
    return preset.get();
  }

  private static MM1Config tiny() {
    var encoder = VisionEncoderConfig.builder().resolution(32).patchSize(8).width(64).layers(2).heads(4)
        .mlpWidth(256).build();
    var connector = ConnectorConfig.builder().imageTokens(4).width(64).depth(1).build();
    var decoder = DecoderConfig.builder().vocabSize(BUNDLED_VOCAB).width(128).layers(2).heads(4).kvHeads(2)
        .mlpWidth(352).maxSequenceLength(512).build();
    return new MM1Config("tiny", encoder, connector, decoder, IMAGE_TOKEN, PAD_TOKEN);
  }

  private static MM1Config small() {
    var encoder = VisionEncoderConfig.builder().resolution(224).patchSize(14).width(384).layers(6).heads(6)
        .mlpWidth(1536).build();
    var connector = ConnectorConfig.builder().imageTokens(64).width(384).depth(2).build();
    var decoder = DecoderConfig.builder().vocabSize(BUNDLED_VOCAB).width(768).layers(8).heads(12).kvHeads(4)
        .mlpWidth(2048).maxSequenceLength(1024).build();
    return new MM1Config("small", encoder, connector, decoder, IMAGE_TOKEN, PAD_TOKEN);
  }

  private static VisionEncoderConfig vitL336() {
    return VisionEncoderConfig.builder().resolution(336).patchSize(14).width(1024).layers(24).heads(16)
        .mlpWidth(4096).activation(VisionEncoderConfig.Activation.QUICK_GELU).build();
  }

  private static VisionEncoderConfig vitH378() {
    return VisionEncoderConfig.builder().resolution(378).patchSize(14).width(1280).layers(32).heads(16)
        .mlpWidth(5120).build();
  }

  private static MM1Config paper(String name, VisionEncoderConfig encoder, int width, int layers, int heads,
      int kvHeads, int ffn) {
    var connector = ConnectorConfig.builder().imageTokens(144).width(encoder.width()).depth(3).build();
    var decoder = DecoderConfig.builder().vocabSize(PAPER_VOCAB).width(width).layers(layers).heads(heads)
        .kvHeads(kvHeads).mlpWidth(ffn).maxSequenceLength(4096).tieEmbeddings(true).build();
    return new MM1Config(name, encoder, connector, decoder, IMAGE_TOKEN, PAD_TOKEN);
  }

  private static MM1Config withMoe(MM1Config base, String name, int experts, int everyNLayers, int expertMlpWidth) {
    var moe = MoeConfig.builder().experts(experts).topK(2).everyNLayers(everyNLayers).expertMlpWidth(expertMlpWidth).build();
    var moeBase = base.withDecoder(base.decoder().toBuilder().moe(moe).build());
    return new MM1Config(name, moeBase.encoder(), moeBase.connector(), moeBase.decoder(), moeBase.imageTokenId(),
        moeBase.padTokenId());
  }
}
