package dev.mm1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import dev.mm1.model.config.VisionEncoderConfig;

/**
 * The CLIP-style ViT image encoder. Images (B, channels, H, W), normalised as the weights expect,
 * become the patch-token grid (B, H/p · W/p, C) after the final LayerNorm; the class token, if any,
 * is not part of the output. Other resolutions than the trained one work: the learned position
 * embeddings are interpolated bicubically to the new grid.
 */
public final class VisionEncoder extends MM1Block {
  private final VisionEncoderConfig config;
  private final Parameter patchEmbedding;
  private final Parameter classToken;
  private final Parameter positionEmbedding;
  private final LayerNormalization preNorm;
  private final VisionBlock[] layers;
  private final LayerNormalization norm;

  public VisionEncoder(VisionEncoderConfig config) {
    this.config = config;
    int width = config.width();
    int p = config.patchSize();
    this.patchEmbedding = parameter("patchEmbedding", new Shape(width, config.channels(), p, p), WEIGHT_INIT);
    this.classToken = config.classToken() ? parameter("classToken", new Shape(width), WEIGHT_INIT) : null;
    this.positionEmbedding = parameter("positionEmbedding",
        new Shape(config.patches() + (config.classToken() ? 1 : 0), width), WEIGHT_INIT);
    this.preNorm = config.preNorm() ? child("preNorm", new LayerNormalization(width, config.normEps())) : null;
    this.layers = new VisionBlock[config.layers()];
    for (int i = 0; i < layers.length; i++) {
      layers[i] = child("layers." + i, new VisionBlock(config));
    }
    this.norm = child("norm", new LayerNormalization(width, config.normEps()));
  }

  public VisionEncoderConfig config() {
    return config;
  }

  @Override
  public NDArray forward(ParameterStore store, NDArray images, boolean training) {
    var shape = images.getShape();
    int p = config.patchSize();
    if (shape.dimension() != 4 || shape.get(1) != config.channels() || shape.get(2) % p != 0
        || shape.get(3) % p != 0) {
      throw new IllegalArgumentException("images have shape " + shape + "; allowed: (batch, " + config.channels()
          + ", height, width) with height and width multiples of encoder.patchSize " + p);
    }
    long batch = shape.get(0);
    int height = (int) (shape.get(2) / p);
    int width = (int) (shape.get(3) / p);
    long channels = config.width();
    var kernel = value(store, patchEmbedding, images, training);
    images = images.toType(kernel.getDataType(), false); // float16 weights in mixed-precision training: images are data, no gradient lost
    var x = Conv2d.conv2d(images, kernel, null, new Shape(p, p),
        new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow(); // (B, C, h, w)
    x = x.reshape(batch, channels, (long) height * width).transpose(0, 2, 1); // (B, N, C)

    var positions = value(store, positionEmbedding, images, training);
    int first = config.classToken() ? 1 : 0;
    var patchPositions = ownedBy(positions.get(new NDIndex(first + ":")), images); // (g², C)
    int grid = config.gridSize();
    if (height != grid || width != grid) {
      patchPositions = GridResampler.resample(patchPositions.reshape(1, grid, grid, channels),
          GridResampler.bicubic(grid, height), height, GridResampler.bicubic(grid, width), width)
          .reshape((long) height * width, channels);
    }
    x = x.add(patchPositions);
    if (classToken != null) {
      var token = ownedBy(positions.get(new NDIndex("0")), images).add(value(store, classToken, images, training));
      x = token.reshape(1, 1, channels).broadcast(batch, 1, channels).concat(x, 1); // (B, 1 + N, C)
    }
    if (preNorm != null) {
      x = preNorm.forward(store, x, training);
    }
    for (var layer : layers) {
      x = layer.forward(store, x, training);
    }
    x = norm.forward(store, x, training);
    return classToken != null ? x.get(new NDIndex(":, 1:")) : x; // (B, h·w, C)
  }
}
