package dev.mm1.trainer.checkpoint;

import dev.mm1.model.MM1Model;
import dev.mm1.trainer.optim.AdamW;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a training checkpoint holds: {@code model.safetensors} (every parameter by its dotted
 * name), {@code optimizer.safetensors} ({@code m.<name>} and {@code v.<name>} moments, the update
 * count in the metadata) and {@code trainer-state.json}.
 */
public final class TrainingSnapshot {
  private TrainingSnapshot() {}

  public static CheckpointWriter.Snapshot of(long step, MM1Model model, AdamW adam, TrainerState state) {
    var weights = new ArrayList<CheckpointWriter.NamedArray>();
    model.namedParameters().forEach((name, p) -> weights.add(new CheckpointWriter.NamedArray(name, p.getArray())));
    var moments = new ArrayList<CheckpointWriter.NamedArray>();
    adam.moments().forEach((name, pair) -> {
      moments.add(new CheckpointWriter.NamedArray("m." + name, pair[0]));
      moments.add(new CheckpointWriter.NamedArray("v." + name, pair[1]));
    });
    var files = List.of(
        new CheckpointWriter.TensorFile(Checkpoint.MODEL_FILE, Map.of("format", "mm1", "step", Long.toString(step)), weights),
        new CheckpointWriter.TensorFile(Checkpoint.OPTIMIZER_FILE, Map.of("steps", Long.toString(adam.steps())), moments));
    return new CheckpointWriter.Snapshot(step, files, Map.of(Checkpoint.STATE_FILE, state.toJson()));
  }
}
