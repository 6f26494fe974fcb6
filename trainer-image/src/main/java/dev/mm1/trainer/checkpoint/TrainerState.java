package dev.mm1.trainer.checkpoint;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code trainer-state.json}: what besides weights and optimizer moments a resumed run needs to
 * continue exactly as the uninterrupted run would have.
 *
 * @param format format version, {@value #FORMAT}
 * @param step optimizer steps taken
 * @param tokensSeen non-padding sequence positions trained on, over all ranks
 * @param attempt the gang attempt that wrote it
 * @param configHash sha256 of the rendered config without its resumable fields
 * @param config that part of the config, to name what changed when a resume is refused
 * @param data every rank's data position (the merged pipeline state JSON)
 * @param seed the seed the weights were initialised from
 * @param worldSize data-parallel ranks that wrote it
 * @param skippedUpdates optimizer steps skipped for a non-finite loss or gradient, in total
 * @param consecutiveSkipped of those, how many in a row up to this step
 * @param savedAt when it was written (ISO-8601)
 * @param lossScale float16 training's dynamic loss scale, null in float32
 * @param lossScaleGrowthSteps finite steps since that scale last changed, null in float32
 */
public record TrainerState(int format, long step, long tokensSeen, int attempt, String configHash, JsonNode config,
    String data, long seed, int worldSize, long skippedUpdates, int consecutiveSkipped, String savedAt,
    Double lossScale, Integer lossScaleGrowthSteps) {
  public static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static TrainerState read(Path file) throws CheckpointException {
    try {
      var state = JSON.readValue(Files.readAllBytes(file), TrainerState.class);
      if (state.format() != FORMAT) {
        throw new CheckpointException(file + " has format " + state.format() + "; this build reads format " + FORMAT);
      }
      return state;
    } catch (IOException e) {
      throw new CheckpointException(file + " cannot be read: " + e.getMessage(), e);
    }
  }
}
