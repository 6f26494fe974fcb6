package dev.mm1.trainer.checkpoint;

import java.nio.file.Path;

/**
 * A committed checkpoint whose files matched its manifest when it was found.
 *
 * @param dir its {@code step-NNNNNNNNN} directory
 * @param step the optimizer step it was taken after
 * @param manifest its manifest
 * @param manifestSha256 sha256 of its MANIFEST.json, the id the control plane records
 */
public record Checkpoint(Path dir, long step, CheckpointManifest manifest, String manifestSha256) {
  public static final String MODEL_FILE = "model.safetensors";
  public static final String OPTIMIZER_FILE = "optimizer.safetensors";
  public static final String STATE_FILE = "trainer-state.json";

  public Path model() {
    return dir.resolve(MODEL_FILE);
  }

  public Path optimizer() {
    return dir.resolve(OPTIMIZER_FILE);
  }

  public Path state() {
    return dir.resolve(STATE_FILE);
  }
}
