package dev.mm1.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.Presets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mixed precision on the CPU engine, the twin of the GPU path: a training step on float16 copies
 * ({@link Float16Weights}) leaves float32 parameters with float32 gradients close to the float32
 * step's (and not equal to them, which shows float16 ran), and the model computes in float32 again
 * afterwards.
 */
class Float16WeightsTest {
  /** Loss scale of the float16 pass, as the trainer's scaler would start (2^10 keeps the tiny sums in range). */
  private static final double LOSS_SCALE = 1024;

  private static MultimodalBatch batch(NDManager manager) {
    int image = Presets.IMAGE_TOKEN;
    var tokens = new int[][] {{1, image, 300, 301, 302, 303, 304, 305, 306, 307, 2}, {1, 400, 401, image, 402, 403, 2, 1, 500, 501, 2}};
    var segments = new int[][] {{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2}};
    var mask = new boolean[2][11];
    for (var row : mask) {
      Arrays.fill(row, true);
    }
    return new MultimodalBatch(tokens, TestModels.images(manager, 2, 32, 21), mask, segments);
  }

  private static java.util.List<Parameter> trainableOf(MM1Model model) {
    return model.namedParameters().values().stream().filter(Parameter::requiresGradient).toList();
  }

  private record Step(double loss, Map<String, float[]> gradients) {}

  private static Step step(MM1Model model, NDManager manager, boolean half, double scale) {
    var halfStore = half ? new Float16Weights(manager, trainableOf(model)) : null;
    var store = half ? halfStore : new ParameterStore(manager, false);
    double lossSum;
    int targets;
    try (var step = manager.newSubManager()) {
      try (var collector = Engine.getInstance().newGradientCollector()) {
        var input = batch(step);
        targets = model.targetCount(input);
        var loss = model.trainingLoss(store, input, step, scale / targets, scale);
        collector.backward(loss.objective());
        lossSum = loss.lossSum();
      }
      if (halfStore != null) {
        halfStore.accumulateGradients();
        halfStore.close();
      }
    }
    var gradients = new LinkedHashMap<String, float[]>();
    for (var entry : model.namedParameters().entrySet()) {
      Parameter parameter = entry.getValue();
      if (parameter.requiresGradient()) {
        assertThat(parameter.getArray().getDataType()).as(entry.getKey()).isEqualTo(DataType.FLOAT32);
        try (var gradient = parameter.getArray().getGradient()) {
          assertThat(gradient.getDataType()).as("gradient of " + entry.getKey()).isEqualTo(DataType.FLOAT32);
          var values = gradient.toFloatArray();
          for (int i = 0; i < values.length; i++) {
            values[i] /= (float) scale;
          }
          gradients.put(entry.getKey(), values);
          gradient.muli(0);
        }
      }
    }
    return new Step(lossSum / targets, gradients);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "tiny-moe", "tiny/AVERAGE_POOL", "tiny/ATTENTION_POOL"})
  void aFloat16StepHasFloat32GradientsCloseToTheFloat32Steps(String variant) {
    var parts = variant.split("/");
    var config = Presets.get(parts[0]);
    if (parts.length > 1) {
      config = config.withConnector(config.connector().toBuilder()
          .type(dev.mm1.model.config.ConnectorConfig.ConnectorType.valueOf(parts[1])).build());
    }
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(config, manager, 3);
      // float16 first, on a model no backward pass has reached: its masters have no gradient buffers yet.
      var half = step(model, manager, true, LOSS_SCALE);
      var full = step(model, manager, false, 1);
      assertThat(half.loss()).isCloseTo(full.loss(), org.assertj.core.data.Offset.offset(2e-3 * full.loss()));
      double largestDifference = TestModels.assertGradientsClose(full.gradients(), half.gradients(), 2e-2, 1e-4);
      assertThat(largestDifference).as("float16 rounding shows in the gradients").isGreaterThan(1e-5);
      // After the scope the model computes in float32 again: the same step gives the same bits.
      assertThat(step(model, manager, false, 1).loss()).isEqualTo(full.loss());
    }
  }

  /** The decoder's norm in float16 gives the float32 result whatever the rows' magnitude: tiny, 1, or past 256. */
  @Test
  void rmsNormIsSafeInFloat16AtAnyScale() {
    try (var manager = NDManager.newBaseManager()) {
      var norm = new RmsNorm(64, 1e-5);
      norm.initialize(manager, DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 64));
      var plain = new ParameterStore(manager, false);
      var random = new java.util.Random(7);
      for (double scale : new double[] {1e-4, 3e-3, 1, 1000, 30000}) {
        var values = new float[2 * 64];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (random.nextGaussian() * scale);
        }
        var x = HostArrays.of(manager, values, new ai.djl.ndarray.types.Shape(2, 64));
        var expected = norm.forward(plain, x, false).toFloatArray();
        try (var half = new Float16Weights(manager, List.of())) {
          var result = norm.forward(half, x.toType(DataType.FLOAT16, false), false);
          assertThat(result.getDataType()).isEqualTo(DataType.FLOAT16);
          var actual = result.toType(DataType.FLOAT32, false).toFloatArray();
          for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("scale %s, element %d", scale, i)
                .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(2e-3f * Math.max(1, Math.abs(expected[i]))));
          }
        }
      }
    }
  }
}
