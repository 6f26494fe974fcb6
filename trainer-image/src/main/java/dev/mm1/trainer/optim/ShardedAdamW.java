package dev.mm1.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.mm1.model.HostArrays;
import dev.mm1.trainer.loop.Partition;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * AdamW with ZeRO stage 1: the trainable parameters, laid end to end in name order, are split
 * among the data-parallel ranks ({@link Partition}); this rank keeps the first and second moments
 * and a master copy of the weights of its part only, and updates that part from its part of the
 * summed gradient (a reduce-scatter). The updated parts are then all-gathered into every rank's
 * parameters. A parameter cut by a part boundary is updated in two pieces with the same arithmetic
 * as {@link AdamW} (element-wise, so the result equals the unsharded update given the same
 * gradient and clipping factor); weight decay follows {@link AdamW#decays}.
 */
public final class ShardedAdamW {
  private static final NDIndex ALL = new NDIndex(":");
  /** Metadata keys of a saved shard: the update count, its part of the flat vector, and the layout it splits. */
  public static final String STEPS = "steps";
  public static final String START = "start";
  public static final String LENGTH = "length";
  public static final String TOTAL = "total";
  public static final String LAYOUT = "layout";
  public static final String RANK = "rank";
  public static final String WORLD_SIZE = "worldSize";
  /** Tensor names of a saved shard's moments. */
  public static final String FIRST = "m";
  public static final String SECOND = "v";

  /** A parameter's elements [from, from + length) held at [at, at + length) of this rank's part. */
  private record Piece(String name, Parameter parameter, long from, int length, int at, boolean decays) {}

  private final AdamW adam;
  private final Map<String, Parameter> parameters;
  private final Partition partition;
  private final int rank;
  private final List<Piece> pieces = new ArrayList<>();
  private final NDArray weights;
  private final NDArray first;
  private final NDArray second;
  private final List<NDArray[]> views = new ArrayList<>();
  private long steps;

  /**
   * @param state the long-lived manager the part's weights and moments live in
   * @param parameters the trainable parameters by name, in the order they are laid end to end
   */
  public ShardedAdamW(NDManager state, Map<String, Parameter> parameters, Partition partition, int rank, double beta1,
      double beta2, double epsilon, double weightDecay) {
    if (partition.total() != elements(parameters)) {
      throw new IllegalArgumentException(partition + " does not split the " + elements(parameters) + " trainable elements");
    }
    this.adam = new AdamW(state, parameters, beta1, beta2, epsilon, weightDecay, false);
    this.parameters = parameters;
    this.partition = partition;
    this.rank = rank;
    long start = partition.start(rank);
    long end = partition.end(rank);
    long offset = 0;
    for (var entry : parameters.entrySet()) {
      long size = entry.getValue().getArray().getShape().size();
      long from = Math.max(start, offset);
      long to = Math.min(end, offset + size);
      if (from < to) {
        pieces.add(new Piece(entry.getKey(), entry.getValue(), from - offset, (int) (to - from), (int) (from - start),
            weightDecay > 0 && AdamW.decays(entry.getKey(), entry.getValue())));
      }
      offset += size;
    }
    var shape = new Shape(partition.length(rank));
    weights = state.zeros(shape);
    first = state.zeros(shape);
    second = state.zeros(shape);
    for (var piece : pieces) {
      // Views: updating a piece in place updates the part it belongs to.
      var slice = new NDIndex(piece.at() + ":" + (piece.at() + piece.length()));
      views.add(new NDArray[] {weights.get(slice), first.get(slice), second.get(slice)});
    }
  }

  /** The trainable elements split evenly among {@code ranks}. */
  public static Partition partition(Map<String, Parameter> parameters, int ranks) {
    return Partition.even(elements(parameters), ranks);
  }

  private static long elements(Map<String, Parameter> parameters) {
    long total = 0;
    for (var parameter : parameters.values()) {
      total += parameter.getArray().getShape().size();
    }
    return total;
  }

  /**
   * sha256 of the parameter names and sizes in order: a shard of the optimizer state only fits a
   * model whose flat layout has the same hash.
   */
  public static String layout(Map<String, Parameter> parameters) {
    var text = new StringBuilder();
    parameters.forEach((name, parameter) -> text.append(name).append(':').append(parameter.getArray().getShape().size())
        .append('\n'));
    try {
      return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Partition partition() {
    return partition;
  }

  public int rank() {
    return rank;
  }

  /** Updates taken so far. */
  public long steps() {
    return steps;
  }

  /** The first and second moments of this rank's part (1-D), for its checkpoint shard. */
  public NDArray[] moments() {
    return new NDArray[] {first, second};
  }

  /** What a saved shard of this part records about itself, checked when it is read back. */
  public Map<String, String> shardMetadata(int worldSize) {
    return Map.of(STEPS, Long.toString(steps), START, Long.toString(partition.start(rank)), LENGTH,
        Integer.toString(partition.length(rank)), TOTAL, Long.toString(partition.total()), LAYOUT, layout(parameters),
        RANK, Integer.toString(rank), WORLD_SIZE, Integer.toString(worldSize));
  }

  /** Copies this rank's part of the parameters into the master weights (after initialisation, broadcast or resume). */
  public void takeWeights() {
    for (int i = 0; i < pieces.size(); i++) {
      var piece = pieces.get(i);
      try (var flat = piece.parameter().getArray().flatten();
          var slice = flat.get(piece.from() + ":" + (piece.from() + piece.length()))) {
        views.get(i)[0].set(ALL, slice);
      }
    }
  }

  /**
   * One update of this rank's part from its part of the summed gradient ({@code gradient}, 1-D, in
   * {@code step}), scaled by {@code gradientScale}; returns the updated master weights of the part,
   * which the caller all-gathers into every rank's parameters. Gradients are zeroed afterwards.
   */
  public NDArray update(NDArray gradient, double lr, double gradientScale, NDManager step) {
    steps++;
    var corrections = adam.corrections(steps);
    for (int i = 0; i < pieces.size(); i++) {
      var piece = pieces.get(i);
      var slice = gradient.get(piece.at() + ":" + (piece.at() + piece.length()));
      slice.attach(step);
      var view = views.get(i);
      adam.apply(view[0], slice, view[1], view[2], piece.decays(), lr, gradientScale, corrections[0], corrections[1]);
    }
    adam.zeroGradients();
    return weights;
  }

  /** Zeroes every trainable gradient (a skipped update). */
  public void zeroGradients() {
    adam.zeroGradients();
  }

  /** Restores the step count and this rank's part of the moments (values copied in). */
  public void restore(long savedSteps, float[] savedFirst, float[] savedSecond) {
    for (var values : new float[][] {savedFirst, savedSecond}) {
      if (values.length != partition.length(rank)) {
        throw new IllegalArgumentException("rank " + rank + "'s optimizer part has " + partition.length(rank)
            + " elements; " + values.length + " were read");
      }
    }
    var manager = weights.getManager();
    try (var m = HostArrays.of(manager, savedFirst); var v = HostArrays.of(manager, savedSecond)) {
      first.set(ALL, m);
      second.set(ALL, v);
    }
    steps = savedSteps;
  }

  /** The trainable parameters, in the order the partition lays them end to end. */
  public Map<String, Parameter> parameters() {
    return parameters;
  }
}
