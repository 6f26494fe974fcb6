package dev.mm1.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.mm1.model.config.Presets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The panelled product of a batched decoding step: the same numbers as one GEMM, used only where it was measured faster. */
class PanelLinearTest {
  @ParameterizedTest
  @ValueSource(ints = {4, 8, 12})
  void equalsOneGemm(int rows) {
    try (var manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(rows);
      var weight = manager.randomNormal(new Shape(2048, 768));
      var bias = manager.randomNormal(new Shape(2048));
      for (var shape : new Shape[] {new Shape(rows, 768), new Shape(rows, 1, 768), new Shape(2, rows / 2, 768)}) {
        var x = manager.randomNormal(shape);
        assertThat(PanelLinear.applies(x, weight)).isTrue();
        var expected = Linear.linear(x, weight, bias).singletonOrThrow();
        var panelled = PanelLinear.linear(x, weight, bias);
        assertThat(panelled.getShape()).isEqualTo(expected.getShape());
        // Sums of 768 products of unit normals (|y| ~ 28): float32 rounding only.
        assertThat(DecoderTest.maxAbsDifference(panelled, expected)).as("%s", shape).isLessThan(1e-4f);
        assertThat(DecoderTest.maxAbsDifference(PanelLinear.linear(x, weight, null),
            Linear.linear(x, weight).singletonOrThrow())).isLessThan(1e-4f);
      }
    }
  }

  @Test
  void onlyWhereOneGemmWasMeasuredSlower() {
    try (var manager = NDManager.newBaseManager()) {
      var large = manager.zeros(new Shape(2048, 768));
      for (int rows : new int[] {1, 2, 3, 13, 16, 256}) {
        assertThat(PanelLinear.applies(manager.zeros(new Shape(rows, 768)), large)).as("%d rows", rows).isFalse();
      }
      // A weight that stays in the cache (768×768, 2.4 MB), half precision, a width that is no multiple of the panel.
      assertThat(PanelLinear.applies(manager.zeros(new Shape(8, 768)), manager.zeros(new Shape(768, 768)))).isFalse();
      assertThat(PanelLinear.applies(manager.zeros(new Shape(8, 768), DataType.FLOAT16),
          manager.zeros(new Shape(2048, 768), DataType.FLOAT16))).isFalse();
      assertThat(PanelLinear.applies(manager.zeros(new Shape(8, 768)), manager.zeros(new Shape(2050, 768)))).isFalse();
      // Rows whose width is not the weight's input width are left to one GEMM, which names the mismatch.
      assertThat(PanelLinear.applies(manager.zeros(new Shape(8, 384)), large)).isFalse();
    }
  }

  /** On the small preset, whose MLP and output weights take the panelled path at 4 rows, every row still decodes as it would alone. */
  @Test
  void batchedGenerationOnTheSmallPresetEqualsOneAtATime() {
    var config = Presets.get("small");
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(config, manager, 23);
      var store = TestModels.store(manager);
      var decoder = config.decoder();
      assertThat(PanelLinear.applies(manager.zeros(new Shape(4, 1, decoder.width())),
          manager.zeros(new Shape(decoder.mlpWidth(), decoder.width())))).isTrue();
      var prompts = new int[][] {{20, 21, 22}, {30, 31, 32, 33, 34, 35}, {40}, {50, 51, 52, 53}};
      var batched = model.generate(store, MultimodalBatch.text(prompts), 6, new int[] {-1}, manager);
      for (int r = 0; r < prompts.length; r++) {
        var alone = model.generate(store, MultimodalBatch.text(new int[][] {prompts[r]}), 6, -1, manager);
        assertThat(batched[r]).as("row %d", r).containsExactly(alone);
      }
    }
  }
}
