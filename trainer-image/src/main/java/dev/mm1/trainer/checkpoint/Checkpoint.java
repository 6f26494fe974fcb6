package dev.mm1.trainer.checkpoint;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

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
  private static final Pattern OPTIMIZER_SHARD = Pattern.compile("optimizer-(\\d{5})-of-(\\d{5})\\.safetensors");

  /** The optimizer shard of {@code rank} among {@code worldSize} ranks (ZeRO-1), e.g. optimizer-00001-of-00002.safetensors. */
  public static String optimizerShardFile(int rank, int worldSize) {
    return String.format("optimizer-%05d-of-%05d.safetensors", rank, worldSize);
  }

  /** The optimizer shards this checkpoint holds, in rank order; empty when it holds one optimizer.safetensors. */
  public List<Path> optimizerShards() {
    return manifest.files().keySet().stream().filter(name -> OPTIMIZER_SHARD.matcher(name).matches()).sorted()
        .map(dir::resolve).toList();
  }

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
