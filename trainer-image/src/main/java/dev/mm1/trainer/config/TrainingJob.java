package dev.mm1.trainer.config;

import dev.mm1.api.v1alpha1.MM1TrainingSpec;
import java.net.URI;
import java.nio.file.Path;

/**
 * Everything a trainer process runs with, from the pod environment and the rendered config (on a
 * cluster) or from a spec file and flags (on one machine).
 *
 * @param spec the training spec as rendered
 * @param renderedConfig the rendered config JSON (its resume-relevant part is hashed into checkpoints)
 * @param checkpointDir where this run's {@code step-NNNNNNNNN} checkpoints are
 * @param reportDir where metrics.jsonl and the control-plane spool are written
 * @param init the checkpoint an SFT (or a warm-started pre-training) starts from, or null
 * @param name the run's name, for messages
 * @param attempt the gang attempt (1 for the first start)
 * @param reporting where to report, or null to report nowhere
 */
public record TrainingJob(MM1TrainingSpec spec, String renderedConfig, Path checkpointDir, Path reportDir,
    InitCheckpoint init, String name, int attempt, Reporting reporting) {

  /**
   * A checkpoint to start from.
   *
   * @param dir its directory
   * @param sha256 the sha256 its MANIFEST.json must have, or null to accept any valid one
   */
  public record InitCheckpoint(Path dir, String sha256) {}

  /** The control plane and the run it knows this training as. */
  public record Reporting(URI url, String token, String runId) {}
}
