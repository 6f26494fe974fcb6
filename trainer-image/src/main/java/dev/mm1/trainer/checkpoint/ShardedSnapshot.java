package dev.mm1.trainer.checkpoint;

import dev.mm1.model.MM1Model;
import dev.mm1.trainer.optim.ShardedAdamW;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What each data-parallel rank writes of a ZeRO-1 checkpoint: every rank its optimizer shard
 * ({@code optimizer-RRRRR-of-NNNNN.safetensors}: the flat first and second moments of its part,
 * named {@code m} and {@code v}, with its offset, length and the parameter layout in the
 * metadata); rank 0 also {@code model.safetensors} (the weights are the same on every rank) and
 * {@code trainer-state.json}, and commits once every shard is written.
 */
public final class ShardedSnapshot {
  private ShardedSnapshot() {}

  /** This rank's part of the checkpoint of {@code step}; {@code state} only on rank 0. */
  public static CheckpointWriter.Snapshot of(long step, MM1Model model, ShardedAdamW optimizer, int worldSize,
      TrainerState state, CheckpointWriter.Part part) {
    var moments = optimizer.moments();
    var files = new ArrayList<CheckpointWriter.TensorFile>();
    if (state != null) {
      var weights = new ArrayList<CheckpointWriter.NamedArray>();
      model.namedParameters().forEach((name, p) -> weights.add(new CheckpointWriter.NamedArray(name, p.getArray())));
      files.add(new CheckpointWriter.TensorFile(Checkpoint.MODEL_FILE, Map.of("format", "mm1", "step", Long.toString(step)),
          weights));
    }
    files.add(new CheckpointWriter.TensorFile(Checkpoint.optimizerShardFile(optimizer.rank(), worldSize),
        optimizer.shardMetadata(worldSize), List.of(new CheckpointWriter.NamedArray(ShardedAdamW.FIRST, moments[0]),
            new CheckpointWriter.NamedArray(ShardedAdamW.SECOND, moments[1]))));
    return new CheckpointWriter.Snapshot(step, files, state == null ? Map.of() : Map.of(Checkpoint.STATE_FILE, state.toJson()),
        part);
  }
}
