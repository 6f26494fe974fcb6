package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.VisionEncoderConfig;

/** The image encoder's MLP: fc2(act(fc1(x))) with biases; GELU or CLIP's QuickGELU. */
public final class GeluMlp extends MM1Block {
  private final Dense fc1;
  private final Dense fc2;
  private final VisionEncoderConfig.Activation activation;

  public GeluMlp(int dim, int hidden, VisionEncoderConfig.Activation activation) {
    this.fc1 = child("fc1", new Dense(dim, hidden, true));
    this.fc2 = child("fc2", new Dense(hidden, dim, true));
    this.activation = activation;
  }

  @Override
  public NDArray forward(ParameterStore store, NDArray x, boolean training) {
    var hidden = fc1.forward(store, x, training);
    hidden = switch (activation) {
      case GELU -> Activation.gelu(hidden);
      case QUICK_GELU -> hidden.mul(Activation.sigmoid(Scalars.mul(hidden, 1.702)));
    };
    return fc2.forward(store, hidden, training);
  }
}
