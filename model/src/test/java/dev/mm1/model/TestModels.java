package dev.mm1.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.MM1Config;
import dev.mm1.model.config.Presets;
import java.util.Map;
import java.util.Random;

/** Small built models and inputs with fixed seeds for the tests. */
final class TestModels {
  private TestModels() {}

  static MM1Model build(MM1Config config, NDManager manager, long seed) {
    var model = new MM1Model(config);
    model.initialize(manager, seed);
    return model;
  }

  static MM1Model tiny(NDManager manager) {
    return build(Presets.get("tiny"), manager, 7);
  }

  static ParameterStore store(NDManager manager) {
    return new ParameterStore(manager, false);
  }

  /** Random images (n, 3, size, size) in [-1, 1) from a fixed seed. */
  static NDArray images(NDManager manager, int n, int size, long seed) {
    var random = new Random(seed);
    var values = new float[n * 3 * size * size];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextFloat() * 2 - 1;
    }
    return HostArrays.of(manager, values, new Shape(n, 3, size, size));
  }

  /** Random token ids in [10, vocab) (no special ids) from a fixed seed. */
  static int[] tokens(int length, int vocab, long seed) {
    var random = new Random(seed);
    var ids = new int[length];
    for (int i = 0; i < length; i++) {
      ids[i] = 10 + random.nextInt(vocab - 10);
    }
    return ids;
  }

  /**
   * Asserts that every parameter's gradient in {@code actual} is within {@code tolerance} × its
   * largest expected magnitude (at least {@code floor}) of {@code expected}; returns the largest
   * such relative difference.
   */
  static double assertGradientsClose(Map<String, float[]> expected, Map<String, float[]> actual, double tolerance,
      double floor) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    double largest = 0;
    for (var name : expected.keySet()) {
      var e = expected.get(name);
      var a = actual.get(name);
      double size = 0;
      double worst = 0;
      for (int i = 0; i < e.length; i++) {
        size = Math.max(size, Math.abs(e[i]));
        worst = Math.max(worst, Math.abs(e[i] - a[i]));
      }
      assertThat(worst).as("gradient of %s (largest %s)", name, size).isLessThanOrEqualTo(tolerance * Math.max(size, floor));
      largest = Math.max(largest, worst / Math.max(size, floor));
    }
    return largest;
  }
}
