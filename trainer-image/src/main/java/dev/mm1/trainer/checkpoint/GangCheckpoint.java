package dev.mm1.trainer.checkpoint;

import java.io.IOException;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A checkpoint that several data-parallel ranks write into one directory (with ZeRO-1 each rank
 * writes its own optimizer shard): rank 0 commits it, and only once every other rank has reported
 * its files written, so the gang has one committed step or none.
 */
public interface GangCheckpoint {
  /**
   * Rank 0: blocks until every other rank has written its files of {@code step} and returns their
   * manifest entries; throws when a rank failed or was lost, or once {@code abandoned} is true.
   */
  Map<String, CheckpointManifest.FileEntry> awaitPeers(long step, BooleanSupplier abandoned) throws IOException;

  /** Any other rank: its files of {@code step} are written and fsynced. */
  void written(long step, Map<String, CheckpointManifest.FileEntry> files);

  /** Any other rank: its files of {@code step} could not be written. */
  void failed(long step, String message);
}
