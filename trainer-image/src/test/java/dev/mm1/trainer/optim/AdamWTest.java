package dev.mm1.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mm1.model.EngineSettings;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AdamW's update against torch.optim.AdamW's algorithm written out in doubles, element by element
 * (its documented steps: decay the weight, lerp the first moment, addcmul the second, divide by
 * √v / √(1−β2^t) + ε, step lr / (1−β1^t)), over several steps with clipping scales and a changing
 * learning rate, with and without weight decay; each step from the same fp32 state.
 */
class AdamWTest {
  static final double BETA1 = 0.9;
  static final double BETA2 = 0.95;
  static final double EPSILON = 1e-8;
  static final double WEIGHT_DECAY = 0.1;

  @BeforeAll
  static void engine() {
    EngineSettings.configure(1);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void updatesAsTorchOptimAdamW(boolean decay) {
    var random = new Random(decay ? 1 : 2);
    int n = 257;
    double[] w = new double[n];
    double[] m = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = random.nextGaussian();
    }
    try (var manager = NDManager.newBaseManager()) {
      var adam = new AdamW(manager, Map.of(), BETA1, BETA2, EPSILON, WEIGHT_DECAY, false);
      var weight = manager.create(toFloats(w), new Shape(n));
      var first = manager.zeros(new Shape(n));
      var second = manager.zeros(new Shape(n));
      for (int t = 1; t <= 6; t++) {
        double lr = 1e-3 * t;
        double scale = t % 2 == 0 ? 0.5 : 1; // a clipped step every other step
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
          g[i] = random.nextGaussian() * (i % 7 == 0 ? 1e-7 : 1); // some tiny gradients, where ε matters
        }
        // Each step starts the reference from the optimizer's own fp32 state, so rounding does not accumulate.
        var before = new float[][] {weight.toFloatArray(), first.toFloatArray(), second.toFloatArray()};
        for (int i = 0; i < n; i++) {
          w[i] = before[0][i];
          m[i] = before[1][i];
          v[i] = before[2][i];
        }
        var corrections = adam.corrections(t);
        try (var gradient = manager.create(toFloats(g), new Shape(n))) {
          adam.apply(weight, gradient, first, second, decay, lr, scale, corrections[0], corrections[1]);
        }
        // torch.optim.AdamW, one element at a time, on the float inputs.
        double[] firstScale = new double[n]; // the size of m's terms: fp32 rounding is relative to them, not to m
        for (int i = 0; i < n; i++) {
          firstScale[i] = BETA1 * Math.abs(m[i]) + (1 - BETA1) * Math.abs((float) g[i] * scale);
          double grad = (float) g[i] * scale;
          if (decay) {
            w[i] *= 1 - lr * WEIGHT_DECAY;
          }
          m[i] += (grad - m[i]) * (1 - BETA1);
          v[i] = v[i] * BETA2 + (1 - BETA2) * grad * grad;
          double denominator = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(BETA2, t)) + EPSILON;
          w[i] -= lr / (1 - Math.pow(BETA1, t)) * m[i] / denominator;
        }
        var actual = weight.toFloatArray();
        var actualFirst = first.toFloatArray();
        var actualSecond = second.toFloatArray();
        for (int i = 0; i < n; i++) {
          assertThat((double) actual[i]).as("weight %d after step %d", i, t).isCloseTo(w[i], org.assertj.core.data.Offset.offset(1e-6 + 1e-6 * Math.abs(w[i])));
          assertThat((double) actualFirst[i]).as("m %d after step %d", i, t).isCloseTo(m[i], org.assertj.core.data.Offset.offset(1e-6 * firstScale[i] + 1e-12));
          assertThat((double) actualSecond[i]).as("v %d after step %d", i, t).isCloseTo(v[i], org.assertj.core.data.Offset.offset(1e-5 * v[i] + 1e-20));
        }
      }
    }
  }

  private static float[] toFloats(double[] values) {
    var out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }
}
