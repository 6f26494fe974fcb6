package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.ConnectorConfig;

/**
 * The C-Abstractor of HoneyBee (arXiv 2312.06742), MM1's chosen connector: learned positional
 * embedding, a stage of residual conv blocks, adaptive average pooling to √M×√M, a second stage,
 * and an MLP readout (linear → SiLU → linear) to the decoder width. Convolutions keep local
 * structure that plain pooling loses.
 */
public final class CAbstractor extends Connector {
  private final int side;
  private final Parameter positionEmbedding;
  private final ResidualConvBlock[] stage1;
  private final ResidualConvBlock[] stage2;
  private final Dense readoutIn;
  private final Dense readoutOut;

  CAbstractor(ConnectorConfig config, int encoderWidth, int patches, int decoderWidth) {
    this.side = config.gridSize();
    int hidden = config.width();
    this.positionEmbedding = parameter("positionEmbedding", new Shape(patches, encoderWidth), WEIGHT_INIT);
    this.stage1 = new ResidualConvBlock[config.depth()];
    this.stage2 = new ResidualConvBlock[config.depth()];
    for (int i = 0; i < config.depth(); i++) {
      stage1[i] = child("stage1." + i, new ResidualConvBlock(i == 0 ? encoderWidth : hidden, hidden));
    }
    for (int i = 0; i < config.depth(); i++) {
      stage2[i] = child("stage2." + i, new ResidualConvBlock(hidden, hidden));
    }
    this.readoutIn = child("readout.0", new Dense(hidden, decoderWidth, true));
    this.readoutOut = child("readout.2", new Dense(decoderWidth, decoderWidth, true));
  }

  @Override
  public NDArray forward(ParameterStore store, NDArray patches, boolean training) {
    var shape = patches.getShape();
    long batch = shape.get(0);
    long patchCount = shape.get(1);
    long width = shape.get(2);
    int grid = gridSide(patchCount);
    var positions = value(store, positionEmbedding, patches, training); // (g0², C)
    int trained = gridSide(positionEmbedding.getShape().get(0));
    if (grid != trained) {
      // Another resolution than the trained one (high-resolution SFT): interpolate like the encoder does.
      positions = GridResampler.resample(ownedBy(positions.reshape(1, trained, trained, width), patches),
          GridResampler.bicubic(trained, grid), grid, GridResampler.bicubic(trained, grid), grid)
          .reshape(patchCount, width);
    }
    var x = patches.add(positions) // (B, N, C)
        .transpose(0, 2, 1).reshape(batch, width, grid, grid); // (B, C, g, g)
    for (var block : stage1) {
      x = block.forward(store, x, training);
    }
    var weights = GridResampler.adaptiveAverage(grid, side);
    x = GridResampler.resample(x.transpose(0, 2, 3, 1), weights, side, weights, side) // (B, s, s, H)
        .transpose(0, 3, 1, 2);
    for (var block : stage2) {
      x = block.forward(store, x, training);
    }
    var tokens = x.transpose(0, 2, 3, 1).reshape(batch, (long) side * side, -1); // (B, M, H)
    var hidden = Scalars.silu(readoutIn.forward(store, tokens, training));
    return readoutOut.forward(store, hidden, training); // (B, M, D)
  }
}
