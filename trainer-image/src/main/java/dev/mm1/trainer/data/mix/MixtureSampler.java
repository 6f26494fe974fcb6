package dev.mm1.trainer.data.mix;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Draws source names with probability proportional to their weights (MM1: captions 45,
 * interleaved 45, text 10), from a {@link SplitMix64} so that the draws are reproducible by seed
 * and resumable from {@link #state()}. Any number of sources; a source can be retired (e.g. when a
 * single-pass run exhausts it) and the rest are drawn in proportion to their weights.
 */
public final class MixtureSampler {
  /** MM1's pre-training mixture. */
  public static final Map<String, Double> MM1_DEFAULT = defaults();

  private final List<String> names = new ArrayList<>();
  private final List<Double> weights = new ArrayList<>();
  private final SplitMix64 random;
  private double[] cumulative;

  /**
   * @param weights source name → weight (&gt; 0), in a fixed order (the order is part of the stream)
   * @param randomState state of the generator, e.g. {@code SplitMix64.forStream(seed, lane).state()}
   */
  public MixtureSampler(Map<String, Double> weights, long randomState) {
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("a mixture needs at least one source");
    }
    weights.forEach((name, weight) -> {
      if (weight == null || !(weight > 0) || weight.isInfinite()) {
        throw new IllegalArgumentException("weight of source '" + name + "' must be a finite number > 0, got " + weight);
      }
      names.add(name);
      this.weights.add(weight);
    });
    this.random = new SplitMix64(randomState);
    rebuild();
  }

  private void rebuild() {
    cumulative = new double[names.size()];
    double total = 0;
    for (int i = 0; i < names.size(); i++) {
      total += weights.get(i);
      cumulative[i] = total;
    }
  }

  /** The next source. */
  public String next() {
    if (names.isEmpty()) {
      throw new IllegalStateException("every source of the mixture is retired");
    }
    double u = random.nextDouble() * cumulative[cumulative.length - 1];
    for (int i = 0; i < cumulative.length; i++) {
      if (u < cumulative[i]) {
        return names.get(i);
      }
    }
    return names.getLast(); // u rounds to the total only through floating-point error
  }

  /** Stops drawing {@code name}; the others keep their relative weights. */
  public void retire(String name) {
    int index = names.indexOf(name);
    if (index >= 0) {
      names.remove(index);
      weights.remove(index);
      rebuild();
    }
  }

  /** Sources still drawn. */
  public Set<String> active() {
    return Set.copyOf(names);
  }

  public long state() {
    return random.state();
  }

  private static Map<String, Double> defaults() {
    Map<String, Double> weights = new LinkedHashMap<>();
    weights.put("caption", 45.0);
    weights.put("interleaved", 45.0);
    weights.put("text", 10.0);
    return java.util.Collections.unmodifiableMap(weights);
  }
}
