package dev.mm1.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.mm1.model.config.Presets;
import dev.mm1.model.io.ModelWeights;
import dev.mm1.model.io.TensorMapping;
import dev.mm1.model.io.TensorType;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * High-resolution SFT: a checkpoint trained at one resolution loads into a model configured for a
 * larger one (MM1: 378 px pre-training, 672 px crops in SFT), its encoder and C-Abstractor position
 * embeddings resampled to the new grid.
 */
class ResolutionTest {
  @TempDir
  Path dir;

  @Test
  void aLowResolutionCheckpointLoadsIntoAHighResolutionModel() throws Exception {
    var low = Presets.get("tiny"); // 32 px, 8-px patches: a 4x4 grid
    var high = low.withEncoder(low.encoder().toBuilder().resolution(48).build()); // 6x6
    try (var manager = NDManager.newBaseManager()) {
      var trained = TestModels.build(low, manager, 11);
      var file = dir.resolve("model.safetensors");
      ModelWeights.save(trained, file, TensorType.F32, Map.of());
      var larger = TestModels.build(high, manager, 99);
      ModelWeights.load(larger, file, TensorMapping.identity(), true);
      assertThat(larger.encoder().namedParameters().get("positionEmbedding").getArray().getShape().get(0))
          .isEqualTo(37);

      // The loaded model at 48 px computes what the trained model computes when it is given 48-px
      // images (it interpolates the same tables at run time), up to float rounding.
      var store = TestModels.store(manager);
      var images = TestModels.images(manager, 2, 48, 4);
      var batch = MultimodalBatch.of(new int[][] {{1, Presets.IMAGE_TOKEN, 30, 31}, {Presets.IMAGE_TOKEN, 40, 41, 2}},
          images);
      var expected = trained.forward(store, batch, manager, false).logits();
      var actual = larger.forward(store, batch, manager, false).logits();
      assertThat(DecoderTest.maxAbsDifference(expected, actual)).isLessThan(1e-3f);
    }
  }
}
