package dev.mm1.controlplane.evals;

import dev.mm1.api.rest.CheckpointRecord;
import io.quarkus.qute.TemplateData;

/** A checkpoint with its id and the run it belongs to. */
@TemplateData
public record CheckpointView(long id, long runId, String runName, String namespace, CheckpointRecord record) {
  public String shortSha() {
    return record.sha256().substring(0, 12);
  }

  /** "tiny-pretrain@2000": how the UI names a checkpoint. */
  public String label() {
    return runName + "@" + record.step();
  }
}
