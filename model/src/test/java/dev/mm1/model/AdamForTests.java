package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Plain Adam over DJL parameters, written so that every temporary lives in the step's manager. */
final class AdamForTests {
  private final NDManager stateManager;
  private final float learningRate;
  private final Map<Parameter, NDArray[]> moments = new HashMap<>();
  private int steps;

  AdamForTests(NDManager stateManager, float learningRate) {
    this.stateManager = stateManager;
    this.learningRate = learningRate;
  }

  void update(List<Parameter> parameters, NDManager step) {
    steps++;
    float b1 = 0.9f;
    float b2 = 0.999f;
    float c1 = (float) (1 - Math.pow(b1, steps));
    float c2 = (float) (1 - Math.pow(b2, steps));
    for (var parameter : parameters) {
      var weight = parameter.getArray();
      var gradient = weight.getGradient();
      gradient.attach(step);
      var state = moments.computeIfAbsent(parameter,
          p -> new NDArray[] {stateManager.zeros(weight.getShape()), stateManager.zeros(weight.getShape())});
      state[0].muli(b1).addi(gradient.mul(1 - b1));
      state[1].muli(b2).addi(gradient.square().mul(1 - b2));
      var m = state[0].div(c1);
      m.attach(step);
      var v = state[1].div(c2);
      v.attach(step);
      weight.subi(m.div(v.sqrt().add(1e-8f)).mul(learningRate));
      gradient.muli(0); // gradients accumulate across backward passes
    }
  }
}
