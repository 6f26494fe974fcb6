package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.ConnectorConfig;

/** M learned queries cross-attending to the patches, then a linear projection to the decoder width. */
public final class AttentionPoolConnector extends Connector {
  private final Parameter queries;
  private final Attention attention;
  private final Dense projection;

  AttentionPoolConnector(ConnectorConfig config, int encoderWidth, int decoderWidth) {
    this.queries = parameter("queries", new Shape(config.imageTokens(), encoderWidth), WEIGHT_INIT);
    this.attention = child("attention",
        new Attention(encoderWidth, config.heads(), config.heads(), true, false, 0));
    this.projection = child("projection", new Dense(encoderWidth, decoderWidth, true));
  }

  @Override
  public NDArray forward(ParameterStore store, NDArray patches, boolean training) {
    var shape = queries.getShape();
    var batchQueries = ownedBy(value(store, queries, patches, training).expandDims(0), patches)
        .broadcast(patches.getShape().get(0), shape.get(0), shape.get(1)); // (B, M, C)
    var pooled = attention.attend(store, batchQueries, patches, training, null, 0, null);
    return projection.forward(store, pooled, training); // (B, M, D)
  }
}
