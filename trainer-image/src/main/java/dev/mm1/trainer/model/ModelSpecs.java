package dev.mm1.trainer.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mm1.api.v1alpha1.ConnectorType;
import dev.mm1.api.v1alpha1.DataSpec;
import dev.mm1.api.v1alpha1.ModelPreset;
import dev.mm1.api.v1alpha1.ModelSpec;
import dev.mm1.api.v1alpha1.VisionArchitecture;
import dev.mm1.model.config.ConnectorConfig;
import dev.mm1.model.config.DecoderConfig;
import dev.mm1.model.config.MM1Config;
import dev.mm1.model.config.MoeConfig;
import dev.mm1.model.config.Presets;
import dev.mm1.model.config.VisionEncoderConfig;

/**
 * A spec's {@code model} (a preset plus overrides) as the model module's {@link MM1Config}. The
 * spec and the model configs spell every setting the same way; an impossible combination is an
 * error naming the spec field ({@code spec.model.decoder.width}) and what is allowed.
 */
public final class ModelSpecs {
  private ModelSpecs() {}

  /** The preset's name as the spec and the model module spell it ({@code tiny-moe}). */
  public static String presetName(ModelPreset preset) {
    return jsonName(preset);
  }

  /** The architecture's name as the spec and the model module spell it ({@code ViT-H/14}). */
  public static String architectureName(VisionArchitecture architecture) {
    return jsonName(architecture);
  }

  /** The model's connector type of a spec connector type. */
  public static ConnectorConfig.ConnectorType connectorType(ConnectorType type) {
    return switch (type) {
      case AveragePool -> ConnectorConfig.ConnectorType.AVERAGE_POOL;
      case AttentionPool -> ConnectorConfig.ConnectorType.ATTENTION_POOL;
      case CAbstractor -> ConnectorConfig.ConnectorType.C_ABSTRACTOR;
    };
  }

  /**
   * The model of {@code spec}, able to take the sequences of {@code data} (its longest sequence is
   * at least {@code data.sequenceLength}); null data leaves the preset's length.
   */
  public static MM1Config toConfig(ModelSpec spec, DataSpec data) {
    if (spec == null || spec.preset == null) {
      throw new IllegalArgumentException("spec.model.preset is missing; allowed: " + String.join(", ", Presets.names()));
    }
    try {
      var config = Presets.get(presetName(spec.preset));
      var encoder = config.encoder();
      if (spec.imageEncoder != null) {
        var e = spec.imageEncoder;
        var builder = e.architecture != null
            ? Presets.visionArchitecture(architectureName(e.architecture)).toBuilder()
            : encoder.toBuilder();
        if (e.patchSize != null) {
          builder.patchSize(e.patchSize);
        }
        if (e.resolution != null) {
          builder.resolution(e.resolution);
        }
        if (e.freeze != null) {
          builder.freeze(e.freeze);
        }
        encoder = builder.build();
      }
      var connector = config.connector();
      if (spec.connector != null) {
        var builder = connector.toBuilder();
        if (spec.connector.type != null) {
          builder.type(connectorType(spec.connector.type));
        }
        if (spec.connector.imageTokens != null) {
          builder.imageTokens(spec.connector.imageTokens);
        }
        connector = builder.build();
      }
      var decoder = decoder(config.decoder(), spec);
      if (data != null) {
        int length = data.sequenceLength == null ? new DataSpec().sequenceLength : data.sequenceLength;
        decoder = decoder.toBuilder().maxSequenceLength(Math.max(decoder.maxSequenceLength(), length)).build();
      }
      return new MM1Config(config.name(), encoder, connector, decoder, config.imageTokenId(), config.padTokenId());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(specField(e.getMessage()), e);
    }
  }

  private static DecoderConfig decoder(DecoderConfig preset, ModelSpec spec) {
    var builder = preset.toBuilder();
    var d = spec.decoder;
    if (d != null) {
      if (d.layers != null) {
        builder.layers(d.layers);
      }
      if (d.width != null) {
        builder.width(d.width);
      }
      if (d.heads != null) {
        builder.heads(d.heads);
        if (d.kvHeads == null && preset.kvHeads() == preset.heads()) {
          builder.kvHeads(d.heads);
        }
      }
      if (d.kvHeads != null) {
        builder.kvHeads(d.kvHeads);
      }
      if (d.mlpWidth != null) {
        builder.mlpWidth(d.mlpWidth);
      }
      if (d.vocabSize != null) {
        builder.vocabSize(d.vocabSize);
      }
    }
    var m = spec.moe;
    if (m != null) {
      var base = preset.moe();
      var moe = base != null ? base.toBuilder() : MoeConfig.builder().expertMlpWidth(builder.build().mlpWidth());
      if (m.experts != null) {
        moe.experts(m.experts);
      }
      if (m.topK != null) {
        moe.topK(m.topK);
      }
      if (m.everyNLayers != null) {
        moe.everyNLayers(m.everyNLayers);
      }
      if (m.expertMlpWidth != null) {
        moe.expertMlpWidth(m.expertMlpWidth);
      }
      if (m.auxLossCoefficient != null) {
        moe.auxLossCoefficient(m.auxLossCoefficient);
      }
      if (m.zLossCoefficient != null) {
        moe.zLossCoefficient(m.zLossCoefficient);
      }
      if (m.capacityFactor != null) {
        moe.capacityFactor(m.capacityFactor);
      }
      builder.moe(moe.build());
    }
    return builder.build();
  }

  /**
   * Checks that the data can be fed to the model: images at a resolution the encoder's patches
   * divide, a patch grid at least as fine as the connector's token grid, and one image (all its
   * views) fitting a sequence. Errors name the spec fields.
   */
  public static void checkDataFits(MM1Config config, DataSpec data) {
    var encoder = config.encoder();
    int resolution = data.imageResolution != null ? data.imageResolution : encoder.resolution();
    String resolutionField = data.imageResolution != null ? "spec.data.imageResolution" : "spec.model.imageEncoder.resolution";
    if (resolution % encoder.patchSize() != 0) {
      throw new IllegalArgumentException(resolutionField + " " + resolution + " is not a multiple of the encoder's patch size "
          + encoder.patchSize() + "; allowed: a multiple of " + encoder.patchSize());
    }
    int grid = resolution / encoder.patchSize();
    var connector = config.connector();
    if (connector.gridSize() > grid) {
      throw new IllegalArgumentException("spec.model.connector.imageTokens " + connector.imageTokens() + " needs a "
          + connector.gridSize() + "x" + connector.gridSize() + " patch grid, but " + resolutionField + " " + resolution
          + " gives " + grid + "x" + grid + "; allowed: at most " + grid * grid + " image tokens, or a higher resolution");
    }
    int views = Boolean.TRUE.equals(data.subImageDecomposition) ? 5 : 1;
    int length = data.sequenceLength == null ? new DataSpec().sequenceLength : data.sequenceLength;
    int maxImages = data.maxImagesPerSequence == null ? new DataSpec().maxImagesPerSequence : data.maxImagesPerSequence;
    boolean images = data.sources != null && data.sources.stream()
        .anyMatch(source -> source.kind != dev.mm1.api.v1alpha1.DataSourceKind.Text);
    if (images && (long) views * connector.imageTokens() > length) {
      throw new IllegalArgumentException("spec.data.sequenceLength " + length + " cannot hold one image: " + views
          + " view(s) x " + connector.imageTokens() + " image tokens = " + views * connector.imageTokens()
          + " positions; allowed: a sequence length of at least " + views * connector.imageTokens());
    }
    if (images && views > maxImages) {
      throw new IllegalArgumentException("spec.data.maxImagesPerSequence " + maxImages + " cannot hold one image of "
          + views + " views (subImageDecomposition); allowed: at least " + views);
    }
  }

  /** The model module names settings "encoder.x"; the spec calls them spec.model.imageEncoder.x. */
  static String specField(String message) {
    return message == null ? "invalid model" : message
        .replaceAll("\\bencoder\\.", "spec.model.imageEncoder.")
        .replaceAll("\\bdecoder\\.", "spec.model.decoder.")
        .replaceAll("\\bconnector\\.", "spec.model.connector.")
        .replaceAll("\\bmoe\\.", "spec.model.moe.")
        .replaceAll("\\bmodel\\.(?!decoder|imageEncoder|connector|moe)", "spec.model.");
  }

  private static String jsonName(Enum<?> value) {
    try {
      var annotation = value.getDeclaringClass().getField(value.name()).getAnnotation(JsonProperty.class);
      return annotation == null ? value.name() : annotation.value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
