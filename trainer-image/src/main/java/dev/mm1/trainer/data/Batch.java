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

  /**
   * Every image view of the batch as one (nImages, 3, R, R) float array, in the order the model
   * reads placeholders: sequence 0 left to right, then sequence 1, …
   */
  public float[] imageTensor() {
    int total = sequences.stream().flatMap(s -> s.images().stream()).mapToInt(i -> i.pixels().length).sum();
    float[] tensor = new float[total];
    int offset = 0;
    for (PackedSequence sequence : sequences) {
      for (var image : sequence.images()) {
        System.arraycopy(image.pixels(), 0, tensor, offset, image.pixels().length);
        offset += image.pixels().length;
      }
    }
    return tensor;
  }

  /** Image views in the batch. */
  public int imageCount() {
    return sequences.stream().mapToInt(s -> s.images().size()).sum();
  }
}
