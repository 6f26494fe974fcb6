package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays made from Java data whose memory libtorch owns. DJL's {@code NDManager.create(...)} wraps
 * a direct buffer that the JVM allocated and frees (libtorch's {@code from_blob}); masks, indices
 * and rotary tables made that way are kept by autograd or by views beyond the wrapper. Measured:
 * the tiny model's training losses varied with garbage-collection timing and sometimes turned NaN,
 * while without any collection (Epsilon GC) they were bit-identical from run to run; made through
 * here, they are bit-identical under the default collector too. Public so that the trainer and
 * evaluator make their batches (images, ids) the same way.
 */
public final class HostArrays {
  private HostArrays() {}

  public static NDArray of(NDManager manager, float[] data, Shape shape) {
    return owned(manager.create(data, shape));
  }

  public static NDArray of(NDManager manager, long[] data, Shape shape) {
    return owned(manager.create(data, shape));
  }

  public static NDArray of(NDManager manager, long[] data) {
    return owned(manager.create(data));
  }

  public static NDArray of(NDManager manager, float[] data) {
    return owned(manager.create(data));
  }

  public static NDArray of(NDManager manager, int[] data, Shape shape) {
    return owned(manager.create(data, shape));
  }

  /**
   * A 0-d float32 {@code value} in libtorch's memory, for factors on autograd's path: autograd keeps
   * a factor until the backward pass, and DJL's {@code mul(Number)}, {@code div(Number)},
   * {@code pow(Number)}, {@code maximum(Number)} (and {@code swish}, which multiplies by its beta)
   * make theirs in a JVM buffer that garbage collection frees once the wrapper is closed, so the
   * backward pass read garbage (gradient norms of 0 or 1e18 when the JVM collected between forward
   * and backward). {@code add} and {@code sub} of a number are safe: autograd keeps nothing of it.
   */
  public static NDArray scalar(NDManager manager, float value) {
    return of(manager, new float[] {value}, new Shape());
  }

  private static NDArray owned(NDArray wrapped) {
    NDArray copy = wrapped.duplicate(); // libtorch's clone: its own memory
    wrapped.close();
    return copy;
  }
}
