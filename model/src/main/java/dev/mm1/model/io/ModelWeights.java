package dev.mm1.model.io;

import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.mm1.model.HostArrays;
import dev.mm1.model.MM1Block;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Saves and loads the parameters of an MM1 block (a whole model or one component) as safetensors,
 * by dotted parameter name. Loading checks every mapped tensor's presence and shape before it
 * changes any weight, so a bad file leaves the model as it was.
 */
public final class ModelWeights {
  private ModelWeights() {}

  /** Writes every parameter of {@code block} to {@code path} in {@code type}. */
  public static void save(MM1Block block, Path path, TensorType type, Map<String, String> metadata)
      throws IOException {
    var tensors = new ArrayList<SafetensorsWriter.Tensor>();
    for (var entry : block.namedParameters().entrySet()) {
      var array = entry.getValue().getArray();
      tensors.add(new SafetensorsWriter.Tensor(entry.getKey(), array.getShape().getShape(), array.toFloatArray()));
    }
    SafetensorsWriter.write(path, tensors, type, metadata);
  }

  /**
   * Loads the parameters of {@code block} that {@code mapping} names from {@code path}; returns the
   * names loaded. With {@code requireAll}, a parameter the mapping does not name is an error too.
   */
  public static List<String> load(MM1Block block, Path path, TensorMapping mapping, boolean requireAll)
      throws IOException {
    try (var file = SafetensorsFile.open(path)) {
      var plan = new ArrayList<Runnable>();
      var loaded = new ArrayList<String>();
      for (var entry : block.namedParameters().entrySet()) {
        var name = entry.getKey();
        var parameter = entry.getValue();
        var source = mapping.source(name);
        if (source == null) {
          if (requireAll) {
            throw new IllegalArgumentException("parameter '" + name + "' has no tensor in the mapping for " + path);
          }
          continue;
        }
        var tensor = file.entries().get(source.tensor());
        if (tensor == null) {
          throw new IllegalArgumentException("tensor '" + source.tensor() + "' (for parameter '" + name
              + "') is missing from " + path);
        }
        var expected = parameter.getArray().getShape();
        var sourceShape = tensor.shape().clone();
        if (sourceShape.length == 0 || sourceShape[0] % source.parts() != 0) {
          throw new IllegalArgumentException("tensor '" + source.tensor() + "' in " + path + " has shape "
              + new Shape(tensor.shape()) + ", which cannot be split into " + source.parts() + " row blocks");
        }
        sourceShape[0] /= source.parts();
        var grid = PositionGrid.between(name, sourceShape, expected.getShape());
        if (grid == null && !Arrays.equals(sourceShape, expected.getShape())) {
          throw new IllegalArgumentException("tensor '" + source.tensor() + "' in " + path + " has shape "
              + new Shape(sourceShape) + (source.parts() > 1 ? " (block " + source.part() + " of " + source.parts()
              + ")" : "") + " but parameter '" + name + "' needs " + expected);
        }
        loaded.add(name);
        plan.add(() -> {
          try {
            var values = file.readFloats(source.tensor());
            int block1 = values.length / source.parts();
            var part = source.parts() == 1 ? values
                : Arrays.copyOfRange(values, source.part() * block1, (source.part() + 1) * block1);
            if (grid != null) {
              part = grid.resample(part);
            }
            // Copied into libtorch-owned memory first: an array wrapping a JVM buffer must not outlive it.
            var array = parameter.getArray();
            try (var owned = HostArrays.of(array.getManager(), part, expected)) {
              array.set(new NDIndex(":"), owned);
            }
          } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading tensor '" + source.tensor() + "' from " + path, e);
          }
        });
      }
      plan.forEach(Runnable::run);
      return loaded;
    }
  }
}
