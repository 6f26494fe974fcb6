package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.ConnectorConfig;

/** Average pooling of the patch grid to a √M×√M grid, then a linear projection to the decoder width. */
public final class AveragePoolConnector extends Connector {
  private final int side;
  private final Dense projection;

  AveragePoolConnector(ConnectorConfig config, int encoderWidth, int decoderWidth) {
    this.side = config.gridSize();
    this.projection = child("projection", new Dense(encoderWidth, decoderWidth, true));
  }

  @Override
  public NDArray forward(ParameterStore store, NDArray patches, boolean training) {
    var shape = patches.getShape();
    int grid = gridSide(shape.get(1));
    var weights = GridResampler.adaptiveAverage(grid, side);
    var pooled = GridResampler.resample(patches.reshape(shape.get(0), grid, grid, shape.get(2)), weights, side,
        weights, side).reshape(shape.get(0), (long) side * side, shape.get(2)); // (B, M, C)
    return projection.forward(store, pooled, training); // (B, M, D)
  }
}
