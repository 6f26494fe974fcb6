package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * What every decoder layer's attention needs for one pass, built once per pass and shared by all
 * layers: an additive mask and the rotary tables of the query positions.
 *
 * <p>A query sees a key when both belong to the same segment (packed document, or a prompt and
 * not its left padding) and the key is not later than the query: block-diagonal causal attention.
 * Positions restart at 0 with each segment, so a document packed after another sees exactly what
 * it would see alone.
 *
 * @param bias (B, 1, 1, T, S) 0 where attention is allowed, -1e9 elsewhere (exp underflows to exactly 0)
 * @param cos rotary cos of the query positions (B, 1, T, hd)
 * @param sin rotary sin of the query positions (B, 1, T, hd)
 */
record AttentionContext(NDArray bias, NDArray cos, NDArray sin) {
  /** Masked logits are pushed this far down; a finite value keeps fully masked rows (padding) free of NaN. */
  static final float MASKED = -1e9f;

  /** The same for float16 activations, whose range ends at 65504: exp(-30000) is exactly 0 too. */
  static final float MASKED_FLOAT16 = -3e4f;

  /**
   * @param querySegments (B·T) segment of each new token, 0 = padding
   * @param keySegments (B·S) segment of every key, the cached ones first, then the new tokens
   * @param offset keys already cached (the new tokens are keys offset..S-1)
   * @param positions (B·T) rotary position of each new token
   * @param type the activations' type (float16 in mixed-precision training): the mask and tables are
   *     made in it, since a float32 operand would promote the pass to float32
   */
  static AttentionContext build(NDManager manager, RotaryEmbedding rotary, NDManager tableOwner, int batch,
      int tokens, long[] querySegments, long[] keySegments, int offset, long[] positions, DataType type) {
    int keys = keySegments.length / batch;
    var segQ = HostArrays.of(manager, querySegments, new Shape(batch, 1, 1, tokens, 1));
    var segK = HostArrays.of(manager, keySegments, new Shape(batch, 1, 1, 1, keys));
    var rows = manager.arange(offset, offset + tokens, 1, DataType.INT64).reshape(tokens, 1);
    var cols = manager.arange(0, keys, 1, DataType.INT64).reshape(1, keys);
    var allowed = segQ.eq(segK).logicalAnd(cols.lte(rows)); // (B, 1, 1, T, S)
    var bias = allowed.logicalNot().toType(type, false).mul(type == DataType.FLOAT16 ? MASKED_FLOAT16 : MASKED);
    var tables = rotary.tables(tableOwner, manager, positions, batch, tokens);
    return new AttentionContext(bias, tables[0].toType(type, false), tables[1].toType(type, false));
  }
}
