package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
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
   * Runs the blocks on embeddings (B, T, D). With a cache, the tokens continue the cached ones and
   * their keys and values are appended.
   */
  public Output run(ParameterStore store, NDArray embeddings, boolean training, KvCache cache) {
    if (embeddings.getShape().get(1) + (cache == null ? 0 : cache.length()) > config.maxSequenceLength()) {
      throw new IllegalArgumentException("sequence of " + (embeddings.getShape().get(1)
          + (cache == null ? 0 : cache.length())) + " tokens is longer than decoder.maxSequenceLength "
          + config.maxSequenceLength());
    }
    int offset = cache == null ? 0 : cache.length();
    var x = embeddings;
    NDArray loadBalance = null;
    NDArray zLoss = null;
    var loads = new ArrayList<float[]>();
    int dropped = 0;
    for (var layer : layers) {
      var out = layer.run(store, x, training, cache, offset);
      x = out.hidden();
      if (out.routing() != null) {
        var routing = out.routing();
        loadBalance = loadBalance == null ? routing.loadBalanceLoss() : loadBalance.add(routing.loadBalanceLoss());
        zLoss = zLoss == null ? routing.zLoss() : zLoss.add(routing.zLoss());
        loads.add(routing.expertLoad());
        dropped += routing.droppedTokens();
      }
    }
    x = norm.forward(store, x, training);
    var logits = head != null
        ? head.forward(store, x, training)
        : Linear.linear(x, embedding.table(store, x, training)).singletonOrThrow(); // (B, T, V)
    if (!loads.isEmpty()) {
      loadBalance = loadBalance.div(loads.size());
      zLoss = zLoss.div(loads.size());
    }
    return new Output(logits, loadBalance, zLoss, List.copyOf(loads), dropped);
  }
}
