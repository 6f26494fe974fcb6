package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * Arithmetic with a constant on arrays that autograd records. DJL's {@code x.mul(2f)} turns the
 * constant into an array that wraps a JVM buffer and closes it right after the op; autograd keeps
 * that array for the backward pass (the gradient of {@code x·c} is {@code c}), and by then the JVM
 * may have freed and reused the buffer: gradients then depend on garbage-collection timing. The
 * constants made here are copied into libtorch-owned memory ({@link HostArrays}), so they live as
 * long as the graph needs them. Ops whose backward does not read the constant (add, sub) are safe
 * either way.
 */
final class Scalars {
  private Scalars() {}

  /** x · c, safe under autograd. */
  static NDArray mul(NDArray x, double c) {
    return x.mul(of(x, c));
  }

  /** x / c, safe under autograd. */
  static NDArray div(NDArray x, double c) {
    return x.div(of(x, c));
  }

  /** x · sigmoid(x) (SiLU, DJL's swish with β = 1, whose own version multiplies by a JVM-held β). */
  static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }

  private static NDArray of(NDArray like, double c) {
    return HostArrays.of(like.getManager(), new float[] {(float) c}, new Shape()).toType(like.getDataType(), false);
  }
}
