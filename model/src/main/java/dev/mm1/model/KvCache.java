package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Keys and values of every decoder layer for incremental generation: each step attends to the
 * cached past instead of recomputing it. Also remembers, per row, the segment of every cached key
 * and where the row's last segment stands, so that a batch of left-padded prompts continues each
 * row at its own position. Owns its arrays; close it when the generation ends.
 *
 * <p>Each layer's keys and values live in one buffer of {@code capacity} positions that a step
 * writes into in place, and attention reads a view of its filled part. Growing by concatenation
 * instead allocated and copied the whole cache at every step: for 8 queries of 300 tokens that is
 * 40 MB per step, fresh pages from the kernel each time, and it made batched decoding no faster
 * than one query at a time. A pass beyond the capacity doubles the buffer.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private final int capacity;
  private int batch;
  private int length;
  private long[][] keySegments = new long[0][];
  private long[] lastPosition = new long[0];

  /** A cache with room for {@code capacity} tokens per row (prompt and new tokens) before it grows; 0 sizes it by the first pass. */
  public KvCache(NDManager parent, int layers, int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity is " + capacity + "; allowed: 0 or more tokens");
    }
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
    this.capacity = capacity;
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

  /**
   * Appends a step's keys and values (B, Hkv, T, hd) of {@code layer}; returns views of the whole
   * (B, Hkv, S, hd) pair, owned by the manager of {@code key} (the step's), so closing the step
   * frees them and leaves the cache intact.
   */
  NDList append(int layer, NDArray key, NDArray value) {
    long tokens = key.getShape().get(2);
    long start = length - tokens; // record() already counted this pass's tokens
    keys[layer] = ensureRoom(keys[layer], key, start);
    values[layer] = ensureRoom(values[layer], value, start);
    var fresh = new NDIndex(":, :, {}:{}", start, length);
    keys[layer].set(fresh, key);
    values[layer].set(fresh, value);
    var filled = new NDIndex(":, :, :{}", length);
    var keyView = keys[layer].get(filled);
    var valueView = values[layer].get(filled);
    keyView.attach(key.getManager());
    valueView.attach(key.getManager());
    return new NDList(keyView, valueView);
  }

  /** The buffer itself when it has room for {@link #length} positions, else a larger one holding its first {@code kept}. */
  private NDArray ensureRoom(NDArray buffer, NDArray step, long kept) {
    long room = buffer == null ? 0 : buffer.getShape().get(2);
    if (room >= length) {
      return buffer;
    }
    var shape = step.getShape();
    long grown = Math.max(Math.max(capacity, length), 2 * room);
    var larger = manager.zeros(new Shape(shape.get(0), shape.get(1), grown, shape.get(3)), step.getDataType(),
        step.getDevice());
    if (buffer != null) {
      if (kept > 0) {
        try (var old = buffer.get(new NDIndex(":, :, :{}", kept))) {
          larger.set(new NDIndex(":, :, :{}", kept), old);
        }
      }
      buffer.close();
    }
    return larger;
  }

  @Override
  public void close() {
    manager.close();
  }
}
