package dev.mm1.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.Presets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gradients do not depend on garbage collection. Autograd keeps every factor an operation needs
 * for the backward pass; a factor made from a Java number by DJL's {@code mul(Number)} lives in a
 * JVM direct buffer that a collection may free (and the JVM reuse) before the backward pass reads
 * it. Measured before the fix: the attention scale and SwiGLU's swish factor read as garbage, and
 * training steps' gradient norms came out as 0 or 1e18 when checkpoints made the JVM collect often.
 */
class GarbageCollectionTest {
  private static Map<String, float[]> gradients(MM1Model model, boolean collectBeforeBackward) {
    try (var step = NDManager.newBaseManager(); var collector = Engine.getInstance().newGradientCollector()) {
      var store = new ParameterStore(step, false);
      int image = Presets.IMAGE_TOKEN;
      var tokens = new int[][] {{1, image, 300, 301, 302, 303, 304, 305, 2}, {1, 400, 401, image, 402, 403, 404, 2, 0}};
      var mask = new boolean[2][9];
      for (var row : mask) {
        java.util.Arrays.fill(row, true);
      }
      var batch = new MultimodalBatch(tokens, TestModels.images(step, 2, 32, 5), mask, null);
      var loss = model.trainingLoss(store, batch, step, 0.1, 1.0);
      if (collectBeforeBackward) {
        // Whatever a collection frees, the JVM hands out again: fill it with garbage.
        for (int round = 0; round < 3; round++) {
          System.gc();
          var churn = new ArrayList<ByteBuffer>();
          for (int i = 0; i < 2000; i++) {
            var buffer = ByteBuffer.allocateDirect(64);
            for (int j = 0; j < 64; j += 4) {
              buffer.putInt(j, 0x7f7f7f7f);
            }
            churn.add(buffer);
          }
        }
      }
      collector.backward(loss.objective());
    }
    var out = new LinkedHashMap<String, float[]>();
    model.namedParameters().forEach((name, parameter) -> {
      if (parameter.requiresGradient()) {
        try (var gradient = parameter.getArray().getGradient()) {
          out.put(name, gradient.toFloatArray());
          gradient.muli(0);
        }
      }
    });
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "tiny-moe"})
  void aCollectionBetweenForwardAndBackwardChangesNoGradient(String preset) {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(Presets.get(preset), manager, 3);
      var quiet = gradients(model, false);
      var collected = gradients(model, true);
      for (var name : quiet.keySet()) {
        int differing = 0;
        for (int i = 0; i < quiet.get(name).length; i++) {
          differing += Float.compare(quiet.get(name)[i], collected.get(name)[i]) != 0 ? 1 : 0;
        }
        assertThat(differing).as("elements of %s's gradient that changed", name).isZero();
      }
    }
  }
}
