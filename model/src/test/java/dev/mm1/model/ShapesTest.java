package dev.mm1.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mm1.model.config.ConnectorConfig;
import dev.mm1.model.config.ConnectorConfig.ConnectorType;
import dev.mm1.model.config.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ShapesTest {
  @Test
  void encoderReturnsThePatchGridAtTheTrainedAndOtherResolutions() {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.tiny(manager);
      var store = TestModels.store(manager);
      var trained = model.encoder().forward(store, TestModels.images(manager, 2, 32, 1), false);
      assertThat(trained.getShape()).isEqualTo(new Shape(2, 16, 64)); // 4×4 patches of width 64
      var larger = model.encoder().forward(store, TestModels.images(manager, 1, 48, 1), false);
      assertThat(larger.getShape()).isEqualTo(new Shape(1, 36, 64)); // 6×6, position embeddings interpolated
      assertThatThrownBy(() -> model.encoder().forward(store, TestModels.images(manager, 1, 30, 1), false))
          .hasMessageContaining("multiples of encoder.patchSize 8");
    }
  }

  @ParameterizedTest
  @EnumSource(ConnectorType.class)
  void everyConnectorMapsPatchesToImageTokensOfDecoderWidth(ConnectorType type) {
    var base = Presets.get("tiny");
    var config = base.withConnector(base.connector().toBuilder().type(type).imageTokens(4).heads(4).build());
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(config, manager, 3);
      var tokens = model.encodeImages(TestModels.store(manager), TestModels.images(manager, 3, 32, 2), false);
      assertThat(tokens.getShape()).isEqualTo(new Shape(3, 4, 128));
    }
  }

  @Test
  void multimodalSequencesGrowByTheImageTokensAndTheDecoderGivesLogitsPerPosition() {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.tiny(manager);
      int image = Presets.IMAGE_TOKEN;
      // Two images in the first sequence, one in the second; rows of different length.
      var tokens = new int[][] {{20, image, 21, 22, image, 23}, {30, 31, image}};
      var out = model.forward(TestModels.store(manager),
          MultimodalBatch.of(tokens, TestModels.images(manager, 3, 32, 5)), manager, false);
      // Row 0: 4 text + 2·4 image tokens = 12; row 1: 2 + 4 = 6; padded to 12.
      assertThat(out.logits().getShape()).isEqualTo(new Shape(2, 12, 8192));
      // Targets: row 0 predicts 21, 22, 23 (20 is first; images are not targets); row 1 predicts 31.
      assertThat(out.targets()).isEqualTo(4);
      assertThat(out.lmLoss().getShape()).isEqualTo(new Shape());
      assertThat(out.loadBalanceLoss()).isNull();
    }
  }

  @Test
  void paddingAndImagePositionsDoNotChangeTheLoss() {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.tiny(manager);
      var store = TestModels.store(manager);
      int image = Presets.IMAGE_TOKEN;
      var images = TestModels.images(manager, 1, 32, 5);
      var plain = model.forward(store, MultimodalBatch.of(new int[][] {{20, image, 21, 22}}, images), manager, false);
      var padded = model.forward(store,
          MultimodalBatch.of(new int[][] {{20, image, 21, 22, Presets.PAD_TOKEN, Presets.PAD_TOKEN}}, images),
          manager, false);
      assertThat(padded.targets()).isEqualTo(plain.targets()).isEqualTo(2); // 21 and 22
      assertThat(padded.lmLoss().getFloat()).isEqualTo(plain.lmLoss().getFloat());
      // A loss mask restricts the targets further (SFT: only the answer).
      var masked = model.forward(store, new MultimodalBatch(new int[][] {{20, image, 21, 22}}, images,
          new boolean[][] {{true, true, false, true}}), manager, false);
      assertThat(masked.targets()).isEqualTo(1);
    }
  }

  @Test
  void imageCountMustMatchThePlaceholders() {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.tiny(manager);
      var batch = MultimodalBatch.of(new int[][] {{20, Presets.IMAGE_TOKEN, Presets.IMAGE_TOKEN}},
          TestModels.images(manager, 1, 32, 5));
      assertThatThrownBy(() -> model.forward(TestModels.store(manager), batch, manager, false))
          .hasMessageContaining("2 <image> placeholders").hasMessageContaining("but 1 images");
      var outOfVocabulary = MultimodalBatch.text(new int[][] {{20, 9000}});
      assertThatThrownBy(() -> model.forward(TestModels.store(manager), outOfVocabulary, manager, false))
          .hasMessageContaining("token id 9000").hasMessageContaining("0..8191");
    }
  }

  @Test
  void moeDecoderReportsExpertLoadPerMoeLayer() {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(Presets.get("tiny-moe"), manager, 11);
      var out = model.forward(TestModels.store(manager),
          MultimodalBatch.text(new int[][] {TestModels.tokens(16, 8192, 1), TestModels.tokens(16, 8192, 2)}),
          manager, false);
      assertThat(out.logits().getShape()).isEqualTo(new Shape(2, 16, 8192));
      assertThat(out.expertLoad()).hasSize(1); // layer 1 of 2 (every 2nd)
      float sum = 0;
      for (float share : out.expertLoad().get(0)) {
        sum += share;
      }
      assertThat(sum).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
      assertThat(out.loadBalanceLoss().getShape()).isEqualTo(new Shape());
      assertThat(out.zLoss().getFloat()).isPositive();
    }
  }

  @Test
  void connectorTokenCountMustBeASquare() {
    assertThatThrownBy(() -> ConnectorConfig.builder().imageTokens(10).width(8).build())
        .hasMessageContaining("connector.imageTokens is 10")
        .hasMessageContaining("perfect square such as 9 or 16");
  }
}
