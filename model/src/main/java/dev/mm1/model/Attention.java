package dev.mm1.model;

import ai.djl.ndarray.NDArray;
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
    return attend(store, x, x, training, null, 0, null);
  }

  /**
   * Attention of {@code query} (B, T, D) over {@code context} (B, S, D).
   *
   * @param cache the KV cache, or null; with a cache the context's keys and values are appended
   * @param layer this layer's index in the cache
   * @param pass the pass's mask and rotary tables (decoder self-attention), or null for unmasked
   *     attention without positions (the encoder, attention pooling)
   */
  NDArray attend(ParameterStore store, NDArray query, NDArray context, boolean training, KvCache cache, int layer,
      AttentionContext pass) {
    long batch = query.getShape().get(0);
    long tokens = query.getShape().get(1);
    long contextTokens = context.getShape().get(1);
    var q = wq.forward(store, query, training).reshape(batch, tokens, heads, headSize).transpose(0, 2, 1, 3);
    var k = wk.forward(store, context, training).reshape(batch, contextTokens, kvHeads, headSize)
        .transpose(0, 2, 1, 3); // (B, Hkv, S, hd)
    var v = wv.forward(store, context, training).reshape(batch, contextTokens, kvHeads, headSize)
        .transpose(0, 2, 1, 3);
    if (rotary != null && pass != null) {
      q = rotary.apply(q, pass.cos(), pass.sin());
      k = rotary.apply(k, pass.cos(), pass.sin());
    }
    if (cache != null) {
      var kv = cache.append(layer, k, v);
      k = kv.get(0);
      v = kv.get(1);
    }
    long keys = k.getShape().get(2);
    int group = heads / kvHeads;
    // Query heads of one KV group side by side: no copy of the shared keys and values.
    var grouped = Scalars.mul(q, 1 / Math.sqrt(headSize)).reshape(batch, kvHeads, group * tokens, headSize);
    var scores = grouped.matMul(k.transpose(0, 1, 3, 2)); // (B, Hkv, group·T, S)
    if (causal) {
      if (pass == null) {
        throw new IllegalStateException("causal attention needs the pass's mask (AttentionContext)");
      }
      scores = scores.reshape(batch, kvHeads, group, tokens, keys).add(pass.bias()) // bias (B, 1, 1, T, S)
          .reshape(batch, kvHeads, group * tokens, keys);
    }
    var out = scores.softmax(3).matMul(v); // (B, Hkv, group·T, hd)
    out = out.reshape(batch, heads, tokens, headSize).transpose(0, 2, 1, 3).reshape(batch, tokens,
        (long) heads * headSize);
    return wo.forward(store, out, training); // (B, T, D)
  }
}
