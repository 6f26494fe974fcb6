package dev.mm1.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import org.junit.jupiter.api.Test;

class GridResamplerTest {
  @Test
  void bicubicAtTheSameSizeIsTheIdentityAndKeepsConstantsConstant() {
    var same = GridResampler.bicubic(5, 5);
    for (int o = 0; o < 5; o++) {
      for (int i = 0; i < 5; i++) {
        assertThat(same[o * 5 + i]).isEqualTo(o == i ? 1f : 0f);
      }
    }
    for (int[] sizes : new int[][] {{4, 7}, {7, 4}}) {
      var weights = GridResampler.bicubic(sizes[0], sizes[1]);
      // Each output row sums to 1: a constant grid stays constant.
      for (int o = 0; o < sizes[1]; o++) {
        float sum = 0;
        for (int i = 0; i < sizes[0]; i++) {
          sum += weights[o * sizes[0] + i];
        }
        assertThat(sum).isCloseTo(1f, within(1e-6f));
      }
    }
  }

  @Test
  void adaptiveAverageEqualsTheEnginesAveragePoolWhenSizesDivide() {
    try (var manager = NDManager.newBaseManager()) {
      var x = manager.randomNormal(new Shape(2, 6, 6, 3)); // (B, H, W, C)
      var weights = GridResampler.adaptiveAverage(6, 3);
      var ours = GridResampler.resample(x, weights, 3, weights, 3);
      var engine = Pool.avgPool2d(x.transpose(0, 3, 1, 2), new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false,
          true).transpose(0, 2, 3, 1);
      assertThat(ours.sub(engine).abs().max().getFloat()).isLessThan(1e-6f);
      // 27 → 12 (ViT-H at 378 px to 144 tokens): uneven windows, each output an average.
      var uneven = GridResampler.adaptiveAverage(27, 12);
      for (int o = 0; o < 12; o++) {
        float sum = 0;
        for (int i = 0; i < 27; i++) {
          sum += uneven[o * 27 + i];
        }
        assertThat(sum).isCloseTo(1f, within(1e-6f));
      }
    }
  }
}
