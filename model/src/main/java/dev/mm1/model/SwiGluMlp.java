package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/** The decoder's SwiGLU MLP: down(silu(gate(x)) · up(x)), no biases. */
public final class SwiGluMlp extends MM1Block {
  private final Dense gate;
  private final Dense up;
  private final Dense down;

  public SwiGluMlp(int dim, int hidden) {
    this.gate = child("gate", new Dense(dim, hidden, false));
    this.up = child("up", new Dense(dim, hidden, false));
    this.down = child("down", new Dense(hidden, dim, false));
  }

  @Override
  public NDArray forward(ParameterStore store, NDArray x, boolean training) {
    var hidden = Scalars.silu(gate.forward(store, x, training)).mul(up.forward(store, x, training));
    return down.forward(store, hidden, training); // (..., D)
  }
}
