package dev.mm1.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.mm1.model.config.Presets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gradients do not depend on what the JVM does between the forward and the backward pass: every
 * array autograd keeps (masks, indices, constants of {@code x·c}) lives in libtorch's memory, not
 * in a JVM buffer the collector may free and reuse. Here the collector frees and the allocator
 * reuses direct buffers between the two passes; the gradients must stay bit-identical.
 */
class GarbageCollectionTest {
  private static Map<String, float[]> gradients(MM1Model model, NDManager manager, boolean churn) {
    var store = TestModels.store(manager);
    try (var step = manager.newSubManager(); var collector = Engine.getInstance().newGradientCollector()) {
      int image = Presets.IMAGE_TOKEN;
      var batch = MultimodalBatch.of(new int[][] {{1, image, 300, 301, 302, 303, 2}, {1, 400, image, 401, 402, 2, 0}},
          TestModels.images(step, 2, 32, 3));
      var loss = model.trainingLoss(store, batch, step, 1.0 / model.targetCount(batch), 1.0).objective();
      if (churn) {
        for (int round = 0; round < 5; round++) {
          System.gc();
          var buffers = new ArrayList<ByteBuffer>();
          for (int i = 0; i < 20_000; i++) {
            var buffer = ByteBuffer.allocateDirect(4).putFloat(0, Float.NaN);
            buffers.add(buffer);
          }
          buffers.clear();
        }
        System.gc();
      }
      collector.backward(loss);
    }
    var out = new LinkedHashMap<String, float[]>();
    model.namedParameters().forEach((name, parameter) -> {
      try (var gradient = parameter.getArray().getGradient()) {
        out.put(name, gradient.toFloatArray());
        gradient.muli(0);
      }
    });
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "tiny-moe"})
  void gradientsAreTheSameWhateverTheCollectorDoesBetweenThePasses(String preset) {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(Presets.get(preset), manager, 3);
      var quiet = gradients(model, manager, false);
      for (int attempt = 0; attempt < 3; attempt++) {
        var churned = gradients(model, manager, true);
        for (var name : quiet.keySet()) {
          int first = java.util.Arrays.mismatch(churned.get(name), quiet.get(name));
          assertThat(first).as("gradient of %s differs first at %d: %s against %s", name, first,
              first < 0 ? "" : churned.get(name)[first], first < 0 ? "" : quiet.get(name)[first]).isEqualTo(-1);
        }
      }
    }
  }
}
