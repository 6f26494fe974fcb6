package dev.mm1.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.mm1.model.MM1Block;
import dev.mm1.model.MM1Model;
import dev.mm1.model.config.ConnectorConfig.ConnectorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ParameterCountsTest {
  private static long allocated(MM1Block block) {
    return block.namedParameters().values().stream().map(Parameter::getArray).mapToLong(a -> a.size()).sum();
  }

  private static void assertFormulasMatchBuiltModel(MM1Config config) {
    try (var manager = NDManager.newBaseManager()) {
      var model = new MM1Model(config);
      model.initialize(manager, 1);
      var counts = ParameterCounts.of(config);
      assertThat(allocated(model.encoder())).isEqualTo(counts.encoder());
      assertThat(allocated(model.connector())).isEqualTo(counts.connector());
      assertThat(allocated(model.decoder())).isEqualTo(counts.decoder());
      assertThat(allocated(model)).isEqualTo(counts.total());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "tiny-moe"})
  void formulasCountTheBuiltPresets(String preset) {
    assertFormulasMatchBuiltModel(Presets.get(preset));
  }

  @ParameterizedTest
  @EnumSource(ConnectorType.class)
  void formulasCountEveryConnectorAndEncoderVariant(ConnectorType type) {
    var base = Presets.get("tiny");
    var config = base.withConnector(base.connector().toBuilder().type(type).imageTokens(4).heads(4).depth(2).build())
        .withEncoder(base.encoder().toBuilder().classToken(false).preNorm(false).build())
        .withDecoder(base.decoder().toBuilder().tieEmbeddings(true).kvHeads(4).build());
    assertFormulasMatchBuiltModel(config);
  }

  @Test
  void paperPresetsHitThePublishedSizes() {
    assertThat(decoder("mm1-1b")).isCloseTo(1.2e9, within(0.05 * 1.2e9));
    assertThat(decoder("mm1-3b")).isCloseTo(2.9e9, within(0.05 * 2.9e9));
    assertThat(decoder("mm1-7b")).isCloseTo(6.4e9, within(0.05 * 6.4e9));
    assertThat(decoder("mm1-30b")).isCloseTo(30e9, within(0.05 * 30e9));
    assertThat((double) ParameterCounts.of(Presets.get("mm1-3b-moe")).total()).isCloseTo(64e9, within(6.4e9));
    assertThat((double) ParameterCounts.of(Presets.get("mm1-7b-moe")).total()).isCloseTo(47e9, within(4.7e9));
    // Top-2 of the experts: the active decoder is a little larger than the dense one.
    var moe = ParameterCounts.of(Presets.get("mm1-3b-moe"));
    assertThat(moe.decoderActive()).isBetween((long) decoder("mm1-3b"), (long) (1.5 * decoder("mm1-3b")));
    // The encoders: ViT-L/14 (about 0.3B) and ViT-H/14 (about 0.63B).
    assertThat(ParameterCounts.of(Presets.get("mm1-1b")).encoder()).isBetween(300_000_000L, 310_000_000L);
    assertThat(ParameterCounts.of(Presets.get("mm1-7b")).encoder()).isBetween(625_000_000L, 640_000_000L);
  }

  @Test
  void cpuPresetsAreInTheirSizeBands() {
    assertThat(ParameterCounts.of(Presets.get("tiny")).total()).isBetween(1_000_000L, 5_000_000L);
    assertThat(ParameterCounts.of(Presets.get("tiny-moe")).total()).isBetween(1_000_000L, 5_000_000L);
    assertThat(ParameterCounts.of(Presets.get("small")).total()).isBetween(50_000_000L, 150_000_000L);
    assertThat(ParameterCounts.of(Presets.get("small-moe")).total()).isBetween(50_000_000L, 150_000_000L);
  }

  private static double decoder(String preset) {
    return ParameterCounts.of(Presets.get(preset)).decoder();
  }

  @Test
  void impossibleSettingsNameTheSettingAndTheAllowedValues() {
    assertThatThrownBy(() -> Presets.get("mm1-2b")).hasMessageContaining("unknown preset 'mm1-2b'")
        .hasMessageContaining("tiny, tiny-moe, small, small-moe, mm1-1b");
    var decoder = Presets.get("tiny").decoder().toBuilder();
    assertThatThrownBy(() -> decoder.width(130).build())
        .hasMessageContaining("decoder.width 130 is not divisible by decoder.heads 4");
    assertThatThrownBy(() -> Presets.get("tiny").decoder().toBuilder().kvHeads(3).build())
        .hasMessageContaining("decoder.heads 4 is not divisible by decoder.kvHeads 3");
    var encoder = Presets.get("tiny").encoder().toBuilder();
    assertThatThrownBy(() -> encoder.resolution(30).build())
        .hasMessageContaining("encoder.resolution 30 is not divisible by encoder.patchSize 8");
    var tiny = Presets.get("tiny");
    assertThatThrownBy(() -> tiny.withConnector(tiny.connector().toBuilder().imageTokens(64).build()))
        .hasMessageContaining("connector.imageTokens 64").hasMessageContaining("at most 16 tokens");
    assertThatThrownBy(() -> new MM1Config("x", tiny.encoder(), tiny.connector(), tiny.decoder(), 9000, 0))
        .hasMessageContaining("model.imageTokenId is 9000; allowed: 0..8191");
    try (var manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> new MM1Model(tiny).initialize(manager, ai.djl.ndarray.types.DataType.BFLOAT16, 1))
          .hasMessageContaining("compute type bfloat16 is not supported; allowed: float32");
    }
  }
}
