package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * Multi-head attention with optional grouped-query heads, causal masking, rotary embeddings and a
 * KV cache. Self-attention when the context is the input; cross-attention (attention pooling)
 * otherwise.
 */
public final class Attention extends MM1Block {
  private final int heads;
  private final int kvHeads;
  private final int headSize;
  private final boolean causal;
  private final RotaryEmbedding rotary;
  private final Dense wq;
  private final Dense wk;
  private final Dense wv;
  private final Dense wo;

  /**
   * @param ropeTheta base of rotary embeddings, or 0 for none
   */
  public Attention(int dim, int heads, int kvHeads, boolean bias, boolean causal, double ropeTheta) {
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headSize = dim / heads;
    this.causal = causal;
    this.rotary = ropeTheta > 0 ? new RotaryEmbedding(headSize, ropeTheta) : null;
    this.wq = child("wq", new Dense(dim, dim, bias));
    this.wk = child("wk", new Dense(dim, (long) kvHeads * headSize, bias));
    this.wv = child("wv", new Dense(dim, (long) kvHeads * headSize, bias));
    this.wo = child("wo", new Dense(dim, dim, bias));
  }

  @Override
  public NDArray forward(ParameterStore store, NDArray x, boolean training) {
    return attend(store, x, x, training, null, 0, 0);
  }

  /**
   * Attention of {@code query} (B, T, D) over {@code context} (B, S, D).
   *
   * @param cache the KV cache, or null; with a cache the context's keys and values are appended
   * @param layer this layer's index in the cache
   * @param offset position of the first query token (tokens already cached)
   */
  NDArray attend(ParameterStore store, NDArray query, NDArray context, boolean training, KvCache cache, int layer,
      int offset) {
    long batch = query.getShape().get(0);
    long tokens = query.getShape().get(1);
    long contextTokens = context.getShape().get(1);
    var q = wq.forward(store, query, training).reshape(batch, tokens, heads, headSize).transpose(0, 2, 1, 3);
    var k = wk.forward(store, context, training).reshape(batch, contextTokens, kvHeads, headSize)
        .transpose(0, 2, 1, 3); // (B, Hkv, S, hd)
    var v = wv.forward(store, context, training).reshape(batch, contextTokens, kvHeads, headSize)
        .transpose(0, 2, 1, 3);
    if (rotary != null) {
      q = rotary.apply(q, offset);
      k = rotary.apply(k, offset);
    }
    if (cache != null) {
      var kv = cache.append(layer, k, v);
      k = kv.get(0);
      v = kv.get(1);
    }
    long keys = k.getShape().get(2);
    int group = heads / kvHeads;
    // Query heads of one KV group side by side: no copy of the shared keys and values.
    var grouped = q.mul((float) (1 / Math.sqrt(headSize))).reshape(batch, kvHeads, group * tokens, headSize);
    var scores = grouped.matMul(k.transpose(0, 1, 3, 2)); // (B, Hkv, group·T, S)
    if (causal) {
      scores = scores.add(causalMask(query, group, (int) tokens, (int) keys, offset));
    }
    var out = scores.softmax(3).matMul(v); // (B, Hkv, group·T, hd)
    out = out.reshape(batch, heads, tokens, headSize).transpose(0, 2, 1, 3).reshape(batch, tokens,
        (long) heads * headSize);
    return wo.forward(store, out, training); // (B, T, D)
  }

  /** Additive mask (group·T, S): query i at position offset+i sees keys 0..offset+i. */
  private static NDArray causalMask(NDArray like, int group, int tokens, int keys, int offset) {
    var mask = new float[group * tokens * keys];
    for (int g = 0; g < group; g++) {
      for (int i = 0; i < tokens; i++) {
        int row = (g * tokens + i) * keys;
        for (int j = offset + i + 1; j < keys; j++) {
          mask[row + j] = Float.NEGATIVE_INFINITY;
        }
      }
    }
    return HostArrays.of(like.getManager(), mask, new Shape((long) group * tokens, keys));
  }
}
