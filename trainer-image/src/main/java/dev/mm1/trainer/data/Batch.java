package dev.mm1.trainer.data;

import dev.mm1.trainer.data.pack.PackedSequence;
import java.util.List;

/**
 * One rank's batch: a packed sequence per lane of the rank, in lane order.
 *
 * @param state the pipeline state right after this batch: saving it with a checkpoint and
 *     restoring it yields exactly the batches that follow this one
 */
public record Batch(List<PackedSequence> sequences, PipelineState state) {

  /** Image views in the batch. */
  public int imageCount() {
    return sequences.stream().mapToInt(s -> s.images().size()).sum();
  }
}
