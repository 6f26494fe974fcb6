package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.DecoderConfig;
import java.util.ArrayList;
import java.util.List;

/** The decoder LLM: token embedding, pre-norm blocks, final RMSNorm, output head (tied or not). */
public final class Decoder extends MM1Block {
  private final DecoderConfig config;
  private final TokenEmbedding embedding;
  private final DecoderBlock[] layers;
  private final RmsNorm norm;
  private final Dense head;
  private final RotaryEmbedding rotary;

  /**
   * Logits with the MoE statistics of the pass.
   *
   * @param logits (B, T, V)
   * @param loadBalanceLoss mean load-balancing loss over MoE layers (null for a dense decoder)
   * @param zLoss mean router z-loss over MoE layers (null for a dense decoder)
   * @param expertLoad per MoE layer, each expert's share of the routed assignments
   * @param droppedTokens (token, expert) assignments dropped by the capacity factor
   */
  public record Output(NDArray logits, NDArray loadBalanceLoss, NDArray zLoss, List<float[]> expertLoad,
      int droppedTokens) {}

  public Decoder(DecoderConfig config) {
    this.config = config;
    this.embedding = child("embedding", new TokenEmbedding(config.vocabSize(), config.width()));
    this.layers = new DecoderBlock[config.layers()];
    for (int i = 0; i < layers.length; i++) {
      layers[i] = child("layers." + i, new DecoderBlock(config, i));
    }
    this.norm = child("norm", new RmsNorm(config.width(), config.normEps()));
    this.head = config.tieEmbeddings() ? null : child("head", new Dense(config.width(), config.vocabSize(), false));
    this.rotary = new RotaryEmbedding(config.headSize(), config.ropeTheta());
  }

  public DecoderConfig config() {
    return config;
  }

  /** Token ids (B, T) to embeddings (B, T, D). */
  public NDArray embed(ParameterStore store, NDArray ids, boolean training) {
    return embedding.forward(store, ids, training);
  }

  /** Logits (B, T, V) of token ids (B, T). */
  @Override
  public NDArray forward(ParameterStore store, NDArray ids, boolean training) {
    return run(store, embed(store, ids, training), training, null).logits();
  }

  /**
   * Runs the blocks on embeddings (B, T, D) and returns logits at every position. With a cache,
   * the tokens continue the cached ones and their keys and values are appended. Every row is one
   * segment; see {@link #runHidden} for packed documents and padded prompts.
   */
  public Output run(ParameterStore store, NDArray embeddings, boolean training, KvCache cache) {
    var hidden = runHidden(store, embeddings, training, cache, null);
    return new Output(logits(store, hidden.hidden(), training), hidden.loadBalanceLoss(), hidden.zLoss(),
        hidden.expertLoad(), hidden.totalDropped());
  }

  /**
   * The final hidden states (B, T, D), after the last norm, with the MoE statistics of the pass.
   *
   * @param hidden (B, T, D)
   * @param loadBalanceLoss mean load-balancing loss over MoE layers (null for a dense decoder)
   * @param zLoss mean router z-loss over MoE layers (null for a dense decoder)
   * @param expertLoad per MoE layer, each expert's share of the routed assignments
   * @param droppedTokens (token, expert) assignments dropped by the capacity factor, per MoE layer
   */
  public record Hidden(NDArray hidden, NDArray loadBalanceLoss, NDArray zLoss, List<float[]> expertLoad,
      List<Integer> droppedTokens) {
    /** Assignments dropped over all MoE layers. */
    public int totalDropped() {
      return droppedTokens.stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * Runs the blocks on embeddings (B, T, D).
   *
   * @param segments (B·T) segment id of every token: a token attends only to earlier tokens of its
   *     own segment, and rotary positions restart at 0 with each segment (packed documents, left
   *     padding as segment 0); null puts every token of a row in segment 1
   */
  public Hidden runHidden(ParameterStore store, NDArray embeddings, boolean training, KvCache cache,
      long[] segments) {
    int batch = (int) embeddings.getShape().get(0);
    int tokens = (int) embeddings.getShape().get(1);
    int offset = cache == null ? 0 : cache.length();
    if (tokens + offset > config.maxSequenceLength()) {
      throw new IllegalArgumentException("sequence of " + (tokens + offset) + " tokens is longer than decoder.maxSequenceLength "
          + config.maxSequenceLength());
    }
    if (segments == null) {
      segments = new long[batch * tokens];
      java.util.Arrays.fill(segments, 1);
    } else if (segments.length != batch * tokens) {
      throw new IllegalArgumentException("segments has " + segments.length + " entries; allowed: one per token, "
          + batch + " x " + tokens);
    }
    var positions = new long[batch * tokens];
    for (int r = 0; r < batch; r++) {
      for (int t = 0; t < tokens; t++) {
        int i = r * tokens + t;
        if (t > 0) {
          positions[i] = segments[i] == segments[i - 1] ? positions[i - 1] + 1 : 0;
        } else {
          positions[i] = cache != null && segments[i] == cache.lastSegment(r) ? cache.lastPosition(r) + 1 : 0;
        }
      }
    }
    var keySegments = cache == null ? segments : cache.keySegmentsWith(batch, segments);
    if (cache != null) {
      cache.record(batch, segments, positions);
    }
    var pass = AttentionContext.build(embeddings.getManager(), rotary, embedding.tableManager(), batch, tokens,
        segments, keySegments, offset, positions, embeddings.getDataType());
    var x = embeddings;
    NDArray loadBalance = null;
    NDArray zLoss = null;
    var loads = new ArrayList<float[]>();
    var dropped = new ArrayList<Integer>();
    for (var layer : layers) {
      var out = layer.run(store, x, training, cache, pass);
      x = out.hidden();
      if (out.routing() != null) {
        var routing = out.routing();
        loadBalance = loadBalance == null ? routing.loadBalanceLoss() : loadBalance.add(routing.loadBalanceLoss());
        zLoss = zLoss == null ? routing.zLoss() : zLoss.add(routing.zLoss());
        loads.add(routing.expertLoad());
        dropped.add(routing.droppedTokens());
      }
    }
    x = norm.forward(store, x, training);
    if (!loads.isEmpty()) {
      loadBalance = Scalars.div(loadBalance, loads.size());
      zLoss = Scalars.div(zLoss, loads.size());
    }
    return new Hidden(x, loadBalance, zLoss, List.copyOf(loads), List.copyOf(dropped));
  }

  /** Logits (..., V) of hidden states (..., D): the output head, or the token embedding when tied. */
  public NDArray logits(ParameterStore store, NDArray hidden, boolean training) {
    return Dense.linear(hidden, outputWeight(store, hidden, training), null, training);
  }

  /** The output projection (V, D): the head's weight, or the token embedding table when tied. */
  NDArray outputWeight(ParameterStore store, NDArray like, boolean training) {
    return head != null ? head.weight(store, like, training) : embedding.table(store, like, training);
  }
}
