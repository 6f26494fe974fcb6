package dev.mm1.trainer.optim;

import ai.djl.nn.Parameter;
import dev.mm1.model.io.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The AdamW moments of a checkpoint, however they were saved: one {@code optimizer.safetensors}
 * with {@code m.<name>} and {@code v.<name>} per parameter, or ZeRO-1 shards, one per rank, each
 * holding the flat moments of its part with the part's offset, length and the parameter layout in
 * its metadata. Any parameter's moments, or any range of the flat vector, can be read from either,
 * so a run resumes with or without ZeRO-1 and on any number of ranks: resharding is done by reading.
 */
public final class SavedMoments implements AutoCloseable {
  private record Shard(SafetensorsFile file, long start, int length) {}

  private final Map<String, long[]> layout = new LinkedHashMap<>();
  private final SafetensorsFile whole;
  private final List<Shard> shards = new ArrayList<>();
  private final Map<String, float[]> cache = new LinkedHashMap<>();
  private final long steps;

  /**
   * @param optimizer the whole optimizer file, used when {@code shards} is empty
   * @param shards ZeRO-1 shard files, any order
   * @param parameters the trainable parameters of the model resuming, in flat order
   */
  public static SavedMoments open(Path optimizer, List<Path> shards, Map<String, Parameter> parameters) throws IOException {
    return new SavedMoments(optimizer, shards, parameters);
  }

  private SavedMoments(Path optimizer, List<Path> shardFiles, Map<String, Parameter> parameters) throws IOException {
    long offset = 0;
    for (var entry : parameters.entrySet()) {
      long size = entry.getValue().getArray().getShape().size();
      layout.put(entry.getKey(), new long[] {offset, size});
      offset += size;
    }
    long total = offset;
    if (shardFiles.isEmpty()) {
      whole = SafetensorsFile.open(optimizer);
      steps = Long.parseLong(whole.metadata().getOrDefault("steps", "0"));
      return;
    }
    whole = null;
    var expectedLayout = ShardedAdamW.layout(parameters);
    Long savedSteps = null;
    try {
      for (var path : shardFiles) {
        var file = SafetensorsFile.open(path);
        var metadata = file.metadata();
        shards.add(new Shard(file, number(metadata, ShardedAdamW.START, path), (int) number(metadata, ShardedAdamW.LENGTH, path)));
        if (!expectedLayout.equals(metadata.get(ShardedAdamW.LAYOUT)) || number(metadata, ShardedAdamW.TOTAL, path) != total) {
          throw new IllegalArgumentException("optimizer shard " + path + " splits another parameter layout ("
              + metadata.get(ShardedAdamW.TOTAL) + " elements, layout " + metadata.get(ShardedAdamW.LAYOUT)
              + "); this model has " + total + " trainable elements, layout " + expectedLayout);
        }
        long shardSteps = number(metadata, ShardedAdamW.STEPS, path);
        if (savedSteps != null && savedSteps != shardSteps) {
          throw new IllegalArgumentException("optimizer shard " + path + " was saved after " + shardSteps
              + " updates, another shard after " + savedSteps);
        }
        savedSteps = shardSteps;
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    shards.sort(Comparator.comparingLong(Shard::start));
    long covered = 0;
    for (var shard : shards) {
      if (shard.start() != covered) {
        close();
        throw new IllegalArgumentException("the optimizer shards of " + shardFiles.getFirst().getParent()
            + " do not cover the parameters: elements from " + covered + " are missing");
      }
      covered += shard.length();
    }
    if (covered != total) {
      close();
      throw new IllegalArgumentException("the optimizer shards of " + shardFiles.getFirst().getParent() + " cover "
          + covered + " of " + total + " elements");
    }
    steps = savedSteps;
  }

  private static long number(Map<String, String> metadata, String key, Path path) {
    try {
      return Long.parseLong(metadata.get(key));
    } catch (NumberFormatException | NullPointerException e) {
      throw new IllegalArgumentException("optimizer shard " + path + " has no valid '" + key + "' in its metadata");
    }
  }

  /** AdamW updates taken when the moments were saved. */
  public long steps() {
    return steps;
  }

  /** The {@code moment} ("m" or "v") of parameter {@code name}, flattened. */
  public float[] of(String moment, String name) throws IOException {
    var place = layout.get(name);
    if (place == null) {
      throw new IllegalArgumentException("no trainable parameter '" + name + "'");
    }
    if (whole != null) {
      return read(whole, moment + "." + name);
    }
    return range(moment, place[0], (int) place[1]);
  }

  /** Elements {@code [start, start + length)} of the flat {@code moment} ("m" or "v") over all trainable parameters. */
  public float[] range(String moment, long start, int length) throws IOException {
    var out = new float[length];
    long end = start + length;
    if (whole != null) {
      for (var entry : layout.entrySet()) {
        long from = Math.max(start, entry.getValue()[0]);
        long to = Math.min(end, entry.getValue()[0] + entry.getValue()[1]);
        if (from < to) {
          var values = cached(whole, moment + "." + entry.getKey());
          System.arraycopy(values, (int) (from - entry.getValue()[0]), out, (int) (from - start), (int) (to - from));
        }
      }
      return out;
    }
    for (var shard : shards) {
      long from = Math.max(start, shard.start());
      long to = Math.min(end, shard.start() + shard.length());
      if (from < to) {
        var values = cached(shard.file(), moment);
        System.arraycopy(values, (int) (from - shard.start()), out, (int) (from - start), (int) (to - from));
      }
    }
    return out;
  }

  /** The last tensor read is kept: consecutive ranges usually fall in the same one. */
  private float[] cached(SafetensorsFile file, String name) throws IOException {
    var key = file.path() + "#" + name;
    var values = cache.get(key);
    if (values == null) {
      values = read(file, name);
      cache.clear();
      cache.put(key, values);
    }
    return values;
  }

  private static float[] read(SafetensorsFile file, String name) throws IOException {
    if (file.entries().get(name) == null) {
      throw new IllegalArgumentException("tensor '" + name + "' is missing from " + file.path());
    }
    return file.readFloats(name);
  }

  @Override
  public void close() throws IOException {
    if (whole != null) {
      whole.close();
    }
    for (var shard : shards) {
      shard.file().close();
    }
  }
}
