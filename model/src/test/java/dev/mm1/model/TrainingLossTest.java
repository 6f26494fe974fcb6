package dev.mm1.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.Presets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chunked training loss (closed-form softmax gradients handed to autograd) gives the loss and
 * every parameter's gradient of the plain autograd cross-entropy, in one chunk or in many.
 */
class TrainingLossTest {
  private static MultimodalBatch batch(NDManager manager) {
    int image = Presets.IMAGE_TOKEN;
    var tokens = new int[][] {
        {1, image, 300, 301, 302, 303, 304, 305, 306, 307, 2},
        {1, 400, 401, image, 402, 403, 2, 1, 500, 501, 2}};
    var segments = new int[][] {{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2}};
    var mask = new boolean[2][11];
    for (var row : mask) {
      java.util.Arrays.fill(row, true);
    }
    mask[1][2] = false; // an unsupervised token (a user turn in SFT)
    return new MultimodalBatch(tokens, TestModels.images(manager, 2, 32, 21), mask, segments);
  }

  private static Map<String, float[]> gradients(MM1Model model) {
    var out = new LinkedHashMap<String, float[]>();
    for (var entry : model.namedParameters().entrySet()) {
      Parameter parameter = entry.getValue();
      if (parameter.requiresGradient()) {
        try (var gradient = parameter.getArray().getGradient()) {
          out.put(entry.getKey(), gradient.toFloatArray());
          gradient.muli(0);
        }
      }
    }
    return out;
  }

  @ParameterizedTest
  @CsvSource({"tiny, 4194304", "tiny, 40000", "tiny-moe, 4194304", "tiny-moe, 8192"})
  void chunkedLossHasTheLossAndGradientsOfAutograd(String preset, long chunkElements) {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(Presets.get(preset), manager, 3);
      var store = new ParameterStore(manager, false);
      float reference;
      Map<String, float[]> expected;
      try (var step = manager.newSubManager(); var collector = Engine.getInstance().newGradientCollector()) {
        var out = model.forward(store, batch(step), step, true);
        collector.backward(out.loss());
        reference = out.lmLoss().getFloat();
      }
      expected = gradients(model);
      int targets;
      double lossSum;
      try (var step = manager.newSubManager(); var collector = Engine.getInstance().newGradientCollector()) {
        var input = batch(step);
        targets = model.targetCount(input);
        var loss = model.trainingLoss(store, input, step, 1.0 / targets, 1.0, chunkElements);
        collector.backward(loss.objective());
        lossSum = loss.lossSum();
        assertThat(loss.targets()).isEqualTo(targets);
      }
      var actual = gradients(model);
      assertThat(targets).isEqualTo(16); // 18 text targets, one unsupervised, one across the segment boundary
      assertThat(lossSum / targets).isCloseTo(reference, org.assertj.core.data.Offset.offset(1e-5));
      TestModels.assertGradientsClose(expected, actual, 1e-4, 1e-3);
    }
  }
}
