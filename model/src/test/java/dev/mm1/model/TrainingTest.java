package dev.mm1.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.mm1.model.config.Presets;
import org.junit.jupiter.api.Test;

class TrainingTest {
  private static MultimodalBatch fixedBatch(NDManager step) {
    int image = Presets.IMAGE_TOKEN;
    var tokens = new int[][] {
        {1, image, 300, 301, 302, 303, 304, 305, 306, 307, 2},
        {1, 400, 401, image, 402, 403, 404, 405, 2, 0, 0}};
    return MultimodalBatch.of(tokens, TestModels.images(step, 2, 32, 21));
  }

  /** One optimisation step; the update runs after the collector closes (no in-place ops under autograd). */
  private static float trainStep(MM1Model model, ai.djl.training.ParameterStore store, AdamForTests adam,
      NDManager step) {
    float loss;
    try (var collector = Engine.getInstance().newGradientCollector()) {
      var out = model.forward(store, fixedBatch(step), step, true);
      collector.backward(out.loss());
      loss = out.lmLoss().getFloat();
    }
    adam.update(model.trainableParameters(), step);
    return loss;
  }

  @Test
  void tinyOverfitsAFixedBatch() {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.tiny(manager);
      var store = TestModels.store(manager);
      var adam = new AdamForTests(manager, 3e-3f);
      float first = 0;
      float last = 0;
      for (int i = 0; i < 120; i++) {
        try (var step = manager.newSubManager()) {
          last = trainStep(model, store, adam, step);
          if (i == 0) {
            first = last;
          }
        }
      }
      assertThat(first).isGreaterThan(8f); // about ln 8192 = 9.0 at initialisation
      assertThat(last).isLessThan(0.05f);
    }
  }

  @Test
  void frozenEncoderGetsNoGradientWhileTheRestTrains() {
    var base = Presets.get("tiny");
    var config = base.withEncoder(base.encoder().toBuilder().freeze(true).build());
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(config, manager, 4);
      var encoderParameters = model.encoder().namedParameters().values();
      assertThat(model.trainableParameters()).doesNotContainAnyElementsOf(encoderParameters).isNotEmpty();
      try (var step = manager.newSubManager(); var collector = Engine.getInstance().newGradientCollector()) {
        var out = model.forward(TestModels.store(manager), fixedBatch(step), step, true);
        collector.backward(out.loss());
        for (var parameter : encoderParameters) {
          assertThat(parameter.requiresGradient()).isFalse();
          assertThat(parameter.getArray().hasGradient()).isFalse();
        }
        var connectorWeight = model.connector().namedParameters().get("readout.0.weight").getArray();
        try (var gradient = connectorWeight.getGradient()) {
          assertThat(gradient.abs().sum().getFloat()).isPositive();
        }
      }
    }
  }

  @Test
  void nativeArraysStayFlatOverALongTrainingLoop() {
    try (var manager = NDManager.newBaseManager()) {
      var model = TestModels.build(Presets.get("tiny-moe"), manager, 5);
      var store = TestModels.store(manager);
      var adam = new AdamForTests(manager, 1e-3f);
      int afterFirstStep = 0;
      for (int i = 0; i < 100; i++) {
        try (var step = manager.newSubManager()) {
          trainStep(model, store, adam, step);
        }
        // Weights, optimizer moments and the rotary tables only: a step that leaves an array (and so its graph) behind
        // in the long-lived manager shows up here, however small.
        int live = manager.getManagedArrays().size();
        if (i == 0) {
          afterFirstStep = live;
        }
        assertThat(live).as("arrays alive after step %d", i).isEqualTo(afterFirstStep);
      }
      // Plus the rotary cos/sin tables, built once in the weights' manager.
      assertThat(afterFirstStep).isEqualTo(3 * model.trainableParameters().size() + 2);
    }
  }
}
