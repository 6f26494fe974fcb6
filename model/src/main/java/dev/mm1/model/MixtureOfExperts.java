package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.MoeConfig;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * A mixture-of-experts MLP: a softmax router picks the top-k of E SwiGLU experts per token, the
 * chosen experts' outputs are mixed by the renormalised router probabilities. Only the chosen
 * experts run (tokens are dispatched by index), so compute follows the active parameters.
 */
public final class MixtureOfExperts extends MM1Block {
  private final MoeConfig config;
  private final Dense router;
  private final SwiGluMlp[] experts;

  /** Output of one MoE layer with its auxiliary losses and routing statistics. */
  public record Output(NDArray output, NDArray loadBalanceLoss, NDArray zLoss, float[] expertLoad, int droppedTokens) {}

  public MixtureOfExperts(int dim, MoeConfig config) {
    this.config = config;
    this.router = child("router", new Dense(dim, config.experts(), false));
    this.experts = new SwiGluMlp[config.experts()];
    for (int e = 0; e < experts.length; e++) {
      experts[e] = child("experts." + e, new SwiGluMlp(dim, config.expertMlpWidth()));
    }
  }

  @Override
  public NDArray forward(ParameterStore store, NDArray x, boolean training) {
    return route(store, x, training).output();
  }

  /** Router probabilities (N, E) of the tokens of x (..., D). */
  public NDArray routerProbabilities(ParameterStore store, NDArray x) {
    var shape = x.getShape();
    long dim = shape.get(shape.dimension() - 1);
    return router.forward(store, x.reshape(-1, dim), false).softmax(1);
  }

  /** Routes {@code x} (B, T, D); returns (B, T, D) with the losses and each expert's share of assignments. */
  public Output route(ParameterStore store, NDArray x, boolean training) {
    var shape = x.getShape();
    int dim = (int) shape.get(shape.dimension() - 1);
    int tokens = (int) (shape.size() / dim);
    int k = config.topK();
    int count = config.experts();
    var flat = x.reshape(tokens, dim); // (N, D)
    var logits = router.forward(store, flat, training); // (N, E)
    var probabilities = logits.softmax(1);
    var top = probabilities.topK(k, 1, true, true);
    var gates = top.get(0).div(top.get(0).sum(new int[] {1}, true)).reshape(tokens * k); // (N·k)
    long[] choice = top.get(1).toType(DataType.INT64, false).toLongArray(); // (N·k) expert per (token, slot)

    int capacity = config.capacityFactor() > 0
        ? (int) Math.ceil(config.capacityFactor() * tokens * k / count) : Integer.MAX_VALUE;
    var routed = new int[count];
    var slotsOf = new ArrayList<ArrayList<Integer>>();
    for (int e = 0; e < count; e++) {
      slotsOf.add(new ArrayList<>());
    }
    int dropped = 0;
    for (int slot = 0; slot < choice.length; slot++) {
      int e = (int) choice[slot];
      routed[e]++;
      if (slotsOf.get(e).size() < capacity) {
        slotsOf.get(e).add(slot);
      } else {
        dropped++;
      }
    }

    // Run each expert on its tokens; remember where each (token, slot) output lands.
    var outputs = new NDList();
    var rowOfSlot = new long[tokens * k];
    Arrays.fill(rowOfSlot, -1);
    int rows = 0;
    for (int e = 0; e < count; e++) {
      var slots = slotsOf.get(e);
      if (slots.isEmpty()) {
        continue;
      }
      var tokenIndex = new long[slots.size()];
      var slotIndex = new long[slots.size()];
      for (int i = 0; i < slots.size(); i++) {
        slotIndex[i] = slots.get(i);
        tokenIndex[i] = slots.get(i) / k;
        rowOfSlot[slots.get(i)] = rows++;
      }
      var manager = x.getManager();
      var input = flat.get(new NDIndex("{}", HostArrays.of(manager, tokenIndex))); // (n_e, D)
      var gate = gates.get(new NDIndex("{}", HostArrays.of(manager, slotIndex))).expandDims(1);
      outputs.add(experts[e].forward(store, input, training).mul(gate));
    }
    // Dropped (token, slot) pairs read a zero row appended after the experts' outputs.
    outputs.add(x.getManager().zeros(new Shape(1, dim), x.getDataType()));
    for (int slot = 0; slot < rowOfSlot.length; slot++) {
      if (rowOfSlot[slot] < 0) {
        rowOfSlot[slot] = rows;
      }
    }
    var all = NDArrays.concat(outputs, 0); // (rows + 1, D)
    var combined = all.get(new NDIndex("{}", HostArrays.of(x.getManager(), rowOfSlot))) // (N·k, D)
        .reshape(tokens, k, dim).sum(new int[] {1});

    // Switch/GShard load balancing: E · Σ_e f_e · P_e with f_e the share of assignments.
    var load = new float[count];
    for (int e = 0; e < count; e++) {
      load[e] = routed[e] / (float) (tokens * k);
    }
    var meanProbability = probabilities.mean(new int[] {0}); // (E)
    var loadBalance = Scalars.mul(meanProbability.mul(HostArrays.of(x.getManager(), load)).sum(), count);
    // Router z-loss (ST-MoE): mean of logsumexp(logits)².
    var logSumExp = logits.sub(logits.logSoftmax(1)).get(new NDIndex(":, 0")); // (N)
    var zLoss = logSumExp.square().mean();
    return new Output(combined.reshape(shape), loadBalance, zLoss, load, dropped);
  }
}
