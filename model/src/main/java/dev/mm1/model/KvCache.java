package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;

/**
 * Keys and values of every decoder layer for incremental generation: each step attends to the
 * cached past instead of recomputing it. Also remembers, per row, the segment of every cached key
 * and where the row's last segment stands, so that a batch of left-padded prompts continues each
 * row at its own position. Owns its arrays; close it when the generation ends.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private int batch;
  private int length;
  private long[][] keySegments = new long[0][];
  private long[] lastPosition = new long[0];

  public KvCache(NDManager parent, int layers) {
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
  }

  /** Tokens cached so far per row (the index of the next token). */
  public int length() {
    return length;
  }

  /** Segment of the last cached token of {@code row}, or -1 when nothing is cached. */
  long lastSegment(int row) {
    return length == 0 ? -1 : keySegments[row][length - 1];
  }

  /** Rotary position of the last cached token of {@code row}. */
  long lastPosition(int row) {
    return lastPosition[row];
  }

  /** Segments of every cached key followed by {@code segments} (B·T) of the new tokens, as (B·(S+T)). */
  long[] keySegmentsWith(int rows, long[] segments) {
    int tokens = segments.length / rows;
    var out = new long[rows * (length + tokens)];
    for (int r = 0; r < rows; r++) {
      if (length > 0) {
        System.arraycopy(keySegments[r], 0, out, r * (length + tokens), length);
      }
      System.arraycopy(segments, r * tokens, out, r * (length + tokens) + length, tokens);
    }
    return out;
  }

  /** Records a pass's new tokens (B·T segments and positions) before its layers append their keys. */
  void record(int rows, long[] segments, long[] positions) {
    if (length > 0 && rows != batch) {
      throw new IllegalArgumentException("the cache holds " + batch + " rows; this pass has " + rows);
    }
    int tokens = segments.length / rows;
    if (length == 0) {
      batch = rows;
      keySegments = new long[rows][];
      lastPosition = new long[rows];
    }
    for (int r = 0; r < rows; r++) {
      var grown = length == 0 ? new long[tokens] : Arrays.copyOf(keySegments[r], length + tokens);
      System.arraycopy(segments, r * tokens, grown, length, tokens);
      keySegments[r] = grown;
      lastPosition[r] = positions[r * tokens + tokens - 1];
    }
    length += tokens;
  }

  /** Appends a step's keys and values (B, Hkv, T, hd) of {@code layer}; returns the whole (B, Hkv, S, hd) pair. */
  NDList append(int layer, NDArray key, NDArray value) {
    if (keys[layer] == null) {
      keys[layer] = key.duplicate();
      values[layer] = value.duplicate();
      keys[layer].attach(manager);
      values[layer].attach(manager);
    } else {
      var oldKey = keys[layer];
      var oldValue = values[layer];
      keys[layer] = oldKey.concat(key, 2);
      values[layer] = oldValue.concat(value, 2);
      keys[layer].attach(manager);
      values[layer].attach(manager);
      oldKey.close();
      oldValue.close();
    }
    return new NDList(keys[layer], values[layer]);
  }

  @Override
  public void close() {
    manager.close();
  }
}
