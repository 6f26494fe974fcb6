package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of every decoder layer for incremental generation: each step attends to the
 * cached past instead of recomputing it. Owns its arrays; close it when the generation ends.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;

  public KvCache(NDManager parent, int layers) {
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
  }

  /** Tokens cached so far (the position of the next token). */
  public int length() {
    return keys[0] == null ? 0 : (int) keys[0].getShape().get(2);
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
