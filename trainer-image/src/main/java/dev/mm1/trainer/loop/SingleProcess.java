package dev.mm1.trainer.loop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.mm1.trainer.checkpoint.CheckpointManifest;
import dev.mm1.trainer.checkpoint.GangCheckpoint;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** World size 1: every collective operation is the identity. */
public final class SingleProcess implements Collective {
  @Override
  public int rank() {
    return 0;
  }

  @Override
  public int worldSize() {
    return 1;
  }

  @Override
  public double[] allReduceSum(double[] values) {
    return values.clone();
  }

  @Override
  public void allReduceSum(List<NDArray> arrays) {}

  @Override
  public List<String> allGather(String text) {
    return List.of(text);
  }

  @Override
  public void broadcast(List<NDArray> arrays) {}

  @Override
  public void barrier() {}

  @Override
  public NDArray reduceScatterSum(List<NDArray> arrays, Partition partition, NDManager manager) {
    var flat = new NDList();
    for (var array : arrays) {
      var row = array.flatten();
      row.attach(manager);
      flat.add(row);
    }
    var whole = NDArrays.concat(flat);
    whole.attach(manager);
    return whole;
  }

  @Override
  public void allGather(NDArray part, Partition partition, List<NDArray> arrays) {
    long offset = 0;
    for (var array : arrays) {
      long size = array.getShape().size();
      try (var slice = part.get(offset + ":" + (offset + size)); var shaped = slice.reshape(array.getShape())) {
        array.set(new NDIndex(":"), shaped);
      }
      offset += size;
    }
  }

  @Override
  public GangCheckpoint checkpointParts() {
    return new GangCheckpoint() {
      @Override
      public Map<String, CheckpointManifest.FileEntry> awaitPeers(long step, BooleanSupplier abandoned) {
        return Map.of(); // no other rank
      }

      @Override
      public void written(long step, Map<String, CheckpointManifest.FileEntry> files) {
        throw new IllegalStateException("rank 0 commits its own checkpoint");
      }

      @Override
      public void failed(long step, String message) {
        throw new IllegalStateException("rank 0 commits its own checkpoint");
      }
    };
  }

  @Override
  public void close() {}
}
