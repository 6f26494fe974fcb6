package dev.mm1.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mm1.api.v1alpha1.ConnectorType;
import dev.mm1.api.v1alpha1.DataSpec;
import dev.mm1.api.v1alpha1.DecoderSpec;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.ModelPreset;
import dev.mm1.api.v1alpha1.ModelSpec;
import dev.mm1.api.v1alpha1.MoeSpec;
import dev.mm1.api.v1alpha1.VisionArchitecture;
import dev.mm1.model.config.ConnectorConfig;
import dev.mm1.model.config.Presets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ModelSpecsTest {
  @Test
  void theSpecAndTheModelModuleKnowTheSamePresetsArchitecturesAndConnectors() {
    assertThat(Arrays.stream(ModelPreset.values()).map(ModelSpecs::presetName))
        .containsExactlyElementsOf(Presets.names());
    assertThat(Arrays.stream(VisionArchitecture.values()).map(ModelSpecs::architectureName))
        .containsExactlyInAnyOrderElementsOf(Presets.visionArchitectures());
    assertThat(Arrays.stream(ConnectorType.values()).map(ModelSpecs::connectorType))
        .containsExactlyInAnyOrder(ConnectorConfig.ConnectorType.values());
  }

  @Test
  void everyTrainingSampleBuildsAModelItsDataFits() throws Exception {
    var yaml = new ObjectMapper(new YAMLFactory());
    try (Stream<Path> files = Files.list(Path.of("..", "manifests", "samples"))) {
      var trainings = files.filter(p -> p.toString().endsWith(".yaml")).toList();
      int checked = 0;
      for (var file : trainings) {
        var tree = yaml.readTree(file.toFile());
        if (!"MM1Training".equals(tree.path("kind").asText())) {
          continue;
        }
        var training = yaml.treeToValue(tree, MM1Training.class);
        var config = ModelSpecs.toConfig(training.getSpec().model, training.getSpec().data);
        ModelSpecs.checkDataFits(config, training.getSpec().data);
        checked++;
      }
      assertThat(checked).isGreaterThanOrEqualTo(5);
    }
  }

  @Test
  void overridesReplaceThePresetsValuesUnderTheSameNames() {
    var spec = new ModelSpec();
    spec.preset = ModelPreset.TINY;
    spec.decoder = new DecoderSpec();
    spec.decoder.width = 96;
    spec.decoder.heads = 6;
    spec.decoder.kvHeads = 3;
    spec.decoder.mlpWidth = 256;
    spec.moe = new MoeSpec();
    spec.moe.experts = 8;
    spec.moe.everyNLayers = 1;
    var config = ModelSpecs.toConfig(spec, null);
    assertThat(config.decoder().width()).isEqualTo(96);
    assertThat(config.decoder().mlpWidth()).isEqualTo(256);
    assertThat(config.decoder().moe().experts()).isEqualTo(8);
    assertThat(config.decoder().moe().everyNLayers()).isEqualTo(1);
    assertThat(config.decoder().moe().expertMlpWidth()).isEqualTo(256); // defaults to the dense MLP's width
    assertThat(config.decoder().moe().auxLossCoefficient()).isEqualTo(0.01);
  }

  @Test
  void aSequenceLengthBeyondThePresetsGrowsTheModelsLimit() {
    var spec = new ModelSpec();
    spec.preset = ModelPreset.TINY;
    var data = new DataSpec();
    assertThat(ModelSpecs.toConfig(spec, data).decoder().maxSequenceLength()).isEqualTo(4096); // MM1's default
  }

  @Test
  void impossibleSettingsNameTheSpecField() {
    var spec = new ModelSpec();
    spec.preset = ModelPreset.TINY;
    spec.decoder = new DecoderSpec();
    spec.decoder.width = 100;
    spec.decoder.heads = 3;
    assertThatThrownBy(() -> ModelSpecs.toConfig(spec, null))
        .hasMessageContaining("spec.model.decoder.width 100 is not divisible by spec.model.decoder.heads 3");
    spec.decoder = null;
    spec.moe = new MoeSpec();
    spec.moe.experts = 2;
    spec.moe.topK = 3;
    assertThatThrownBy(() -> ModelSpecs.toConfig(spec, null)).hasMessageContaining("spec.model.moe.topK 3");
  }

  @Test
  void dataThatCannotReachTheModelIsRefusedNamingTheField() {
    var spec = new ModelSpec();
    spec.preset = ModelPreset.TINY; // 32 px, 8-px patches, 4 image tokens
    var config = ModelSpecs.toConfig(spec, null);
    var data = new DataSpec();
    data.sources = java.util.List.of(dev.mm1.trainer.data.TestCorpus.source("c", dev.mm1.api.v1alpha1.DataSourceKind.Caption,
        "caption", 1));
    data.imageResolution = 36;
    assertThatThrownBy(() -> ModelSpecs.checkDataFits(config, data))
        .hasMessageContaining("spec.data.imageResolution 36 is not a multiple of the encoder's patch size 8");
    data.imageResolution = 32;
    data.sequenceLength = 16;
    data.subImageDecomposition = true;
    assertThatThrownBy(() -> ModelSpecs.checkDataFits(config, data))
        .hasMessageContaining("spec.data.sequenceLength 16 cannot hold one image: 5 view(s) x 4 image tokens");
    data.sequenceLength = 64;
    data.maxImagesPerSequence = 2;
    assertThatThrownBy(() -> ModelSpecs.checkDataFits(config, data))
        .hasMessageContaining("spec.data.maxImagesPerSequence 2");
  }
}
