package dev.mm1.trainer.data.mix;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the source of each next document so that every source's share of the training
 * <em>tokens</em> follows its weight (MM1: captions 45, interleaved 45, text 10 — shares of what the
 * model trains on, not of documents: a caption pair and a 4 000-token interleaved document are not
 * equal). The next document comes from the source furthest below its share of the tokens drawn so
 * far, as Megatron-LM blends datasets by samples; the caller {@link #record records} each drawn
 * document's tokens. Shares so stay within one document of the weights at every point, instead of
 * drifting like independent draws. A {@link SplitMix64} breaks ties (at the start, every source is
 * equally far behind) in proportion to the weights, so the choices are reproducible by seed and
 * resumable from {@link #state()} and {@link #tokens()}. A source can be retired (e.g. when a
 * single-pass run exhausts it); the rest share the tokens in proportion to their weights.
 */
public final class MixtureSampler {
  /** MM1's pre-training mixture. */
  public static final Map<String, Double> MM1_DEFAULT = defaults();

  private final List<String> names = new ArrayList<>();
  private final List<Double> weights = new ArrayList<>();
  private final Map<String, Long> tokens = new LinkedHashMap<>();
  private final SplitMix64 random;

  /**
   * @param weights source name → weight (&gt; 0), in a fixed order (the order is part of the stream)
   * @param randomState state of the generator, e.g. {@code SplitMix64.forStream(seed, lane).state()}
   */
  public MixtureSampler(Map<String, Double> weights, long randomState) {
    this(weights, randomState, Map.of());
  }

  /** As {@link #MixtureSampler(Map, long)}, resuming with the tokens already drawn per source. */
  public MixtureSampler(Map<String, Double> weights, long randomState, Map<String, Long> drawn) {
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("a mixture needs at least one source");
    }
    weights.forEach((name, weight) -> {
      if (weight == null || !(weight > 0) || weight.isInfinite()) {
        throw new IllegalArgumentException("weight of source '" + name + "' must be a finite number > 0, got " + weight);
      }
      names.add(name);
      this.weights.add(weight);
      tokens.put(name, drawn.getOrDefault(name, 0L));
    });
    this.random = new SplitMix64(randomState);
  }

  /** The next source: the one furthest below its share of the tokens drawn so far. */
  public String next() {
    if (names.isEmpty()) {
      throw new IllegalStateException("every source of the mixture is retired");
    }
    double totalWeight = 0;
    long totalTokens = 0;
    for (int i = 0; i < names.size(); i++) {
      totalWeight += weights.get(i);
      totalTokens += tokens.get(names.get(i));
    }
    double best = Double.NEGATIVE_INFINITY;
    double tiedWeight = 0;
    var deficits = new double[names.size()];
    for (int i = 0; i < names.size(); i++) {
      deficits[i] = weights.get(i) / totalWeight * totalTokens - tokens.get(names.get(i));
      best = Math.max(best, deficits[i]);
    }
    for (int i = 0; i < names.size(); i++) {
      tiedWeight += deficits[i] == best ? weights.get(i) : 0;
    }
    double u = random.nextDouble() * tiedWeight;
    String last = null;
    for (int i = 0; i < names.size(); i++) {
      if (deficits[i] == best) {
        last = names.get(i);
        u -= weights.get(i);
        if (u < 0) {
          return last;
        }
      }
    }
    return last; // u rounds to the total only through floating-point error
  }

  /** Counts the tokens (sequence positions, image tokens included) of a document drawn from {@code name}. */
  public void record(String name, long documentTokens) {
    tokens.merge(name, documentTokens, Long::sum);
  }

  /** Tokens drawn per source, in mixture order (retired sources included). */
  public Map<String, Long> tokens() {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tokens));
  }

  /** Stops drawing {@code name}; the others keep their relative weights. */
  public void retire(String name) {
    int index = names.indexOf(name);
    if (index >= 0) {
      names.remove(index);
      weights.remove(index);
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
