package dev.mm1.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with decoupled weight decay, step for step as PyTorch's {@code torch.optim.AdamW} computes
 * it: {@code w ← w·(1 − lr·weightDecay)}, then the Adam update with bias-corrected moments. MM1's
 * "weight decay λ = 0.1·η" is {@code weightDecay: 0.1} in this convention. Decay applies to weight
 * matrices and convolution kernels only: norms, biases and embeddings (token, position and class
 * embeddings, learned pooling queries) are not decayed, as in GPT-style training. The moments are
 * kept by parameter name, so they can be saved and restored exactly.
 */
public final class AdamW {
  private final NDManager state;
  private final Map<String, Parameter> parameters;
  private final Map<String, NDArray[]> moments = new LinkedHashMap<>();
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double weightDecay;
  private long steps;

  /**
   * @param state the long-lived manager the moments live in
   * @param parameters the trainable parameters by name
   */
  public AdamW(NDManager state, Map<String, Parameter> parameters, double beta1, double beta2, double epsilon,
      double weightDecay) {
    this(state, parameters, beta1, beta2, epsilon, weightDecay, true);
  }

  /** With {@code allocate} false the moments are someone else's (the ZeRO-1 shards of {@link ShardedAdamW}). */
  AdamW(NDManager state, Map<String, Parameter> parameters, double beta1, double beta2, double epsilon,
      double weightDecay, boolean allocate) {
    this.state = state;
    this.parameters = parameters;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
    for (var entry : allocate ? parameters.entrySet() : Map.<String, Parameter>of().entrySet()) {
      var shape = entry.getValue().getArray().getShape();
      moments.put(entry.getKey(), new NDArray[] {state.zeros(shape), state.zeros(shape)});
    }
  }

  /** Whether {@code name} is decayed: matrices and kernels, not norms, biases or embeddings. */
  public static boolean decays(String name, Parameter parameter) {
    if (parameter.getArray().getShape().dimension() < 2) {
      return false;
    }
    var last = name.substring(name.lastIndexOf('.') + 1);
    return !(name.startsWith("decoder.embedding.") || last.equals("positionEmbedding") || last.equals("classToken")
        || last.equals("queries"));
  }

  /** Updates taken so far. */
  public long steps() {
    return steps;
  }

  /**
   * One update from the accumulated gradients, scaled by {@code gradientScale} (clipping), with
   * learning rate {@code lr}; the gradient handles live in {@code step}. Gradients are zeroed afterwards.
   */
  public void update(double lr, double gradientScale, NDManager step) {
    steps++;
    var corrections = corrections(steps);
    for (var entry : parameters.entrySet()) {
      var weight = entry.getValue().getArray();
      var gradient = weight.getGradient();
      gradient.attach(step);
      var pair = moments.get(entry.getKey());
      apply(weight, gradient, pair[0], pair[1], weightDecay > 0 && decays(entry.getKey(), entry.getValue()), lr,
          gradientScale, corrections[0], corrections[1]);
      zero(weight);
    }
  }

  /**
   * The update of one tensor (or, with ZeRO-1, one rank's piece of it): {@code gradient} is
   * overwritten (it ends as a scaled square), {@code weight}, {@code m} and {@code v} are updated in
   * place. {@code correction1} and {@code correction2} are the bias corrections
   * {@code 1 - beta1^t} and {@code sqrt(1 - beta2^t)} of update t.
   */
  void apply(NDArray weight, NDArray gradient, NDArray m, NDArray v, boolean decay, double lr, double gradientScale,
      double correction1, double correction2) {
    // torch.optim.AdamW: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; w = w·(1 − lr·λ) − lr/c1 · m / (√v/c2 + ε),
    // with g the clipped gradient. Written as in-place passes over the tensor with the scalars folded
    // in and two temporaries, freed at once: the update is memory-bound, and temporaries kept until the
    // step ends (five per tensor before) made every other step pay for 1.6 GB of fresh pages.
    gradient.muli((float) ((1 - beta1) * gradientScale)); // (1−β1)·g
    m.muli((float) beta1).addi(gradient);
    gradient.muli((float) (Math.sqrt(1 - beta2) / (1 - beta1))); // √(1−β2)·g
    gradient.muli(gradient); // (1−β2)·g²
    v.muli((float) beta2).addi(gradient);
    if (decay) {
      weight.muli((float) (1 - lr * weightDecay));
    }
    // lr/c1 · m / (√v/c2 + ε) = m / ((√v + ε·c2) · c1/(lr·c2))
    try (var denominator = v.sqrt()) {
      denominator.addi((float) (epsilon * correction2)).muli((float) (correction1 / (lr * correction2)));
      try (var update = m.div(denominator)) {
        weight.subi(update);
      }
    }
  }

  /** {@code 1 - beta1^t} and {@code sqrt(1 - beta2^t)} for update {@code t}. */
  double[] corrections(long t) {
    return new double[] {1 - Math.pow(beta1, t), Math.sqrt(1 - Math.pow(beta2, t))};
  }

  /** Zeroes every trainable gradient (also after a skipped update: NaN-safe, unlike multiplying by 0). */
  public void zeroGradients() {
    parameters.values().forEach(p -> zero(p.getArray()));
  }

  private static void zero(NDArray weight) {
    JniUtils.zeroGrad((PtNDArray) weight);
  }

  /** Sum of squares of every trainable gradient, as one scalar in {@code step}. */
  public NDArray gradientSquareSum(NDManager step) {
    NDArray total = null;
    for (var parameter : parameters.values()) {
      try (var gradient = parameter.getArray().getGradient(); var square = gradient.square()) {
        var squares = square.sum();
        squares.attach(step);
        total = total == null ? squares : total.add(squares);
      }
    }
    return total == null ? step.zeros(new ai.djl.ndarray.types.Shape()) : total;
  }

  /** The trainable gradients in name order (for a data-parallel all-reduce); close them after use. */
  public List<NDArray> gradients() {
    return parameters.values().stream().map(p -> p.getArray().getGradient()).toList();
  }

  /** The first and second moments by parameter name, for a checkpoint. */
  public Map<String, NDArray[]> moments() {
    return moments;
  }

  /** Restores a saved state: the step count and every moment (values copied in). */
  public void restore(long savedSteps, Map<String, float[][]> saved) {
    for (var name : moments.keySet()) {
      if (!saved.containsKey(name)) {
        throw new IllegalArgumentException("the optimizer state has no moments for parameter '" + name + "'");
      }
    }
    for (var entry : moments.entrySet()) {
      var values = saved.get(entry.getKey());
      for (int i = 0; i < 2; i++) {
        var target = entry.getValue()[i];
        if (values[i].length != target.getShape().size()) {
          throw new IllegalArgumentException("the optimizer state of '" + entry.getKey() + "' has " + values[i].length
              + " values; the parameter has " + target.getShape().size());
        }
        try (var owned = dev.mm1.model.HostArrays.of(state, values[i], target.getShape())) {
          target.set(new ai.djl.ndarray.index.NDIndex(":"), owned);
        }
      }
    }
    steps = savedSteps;
  }
}
