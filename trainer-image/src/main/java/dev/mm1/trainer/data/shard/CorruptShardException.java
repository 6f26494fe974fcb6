package dev.mm1.trainer.data.shard;

import java.io.IOException;

/** A tar shard that cannot be read past some point: bad header checksum, truncation, bad size field. */
public final class CorruptShardException extends IOException {
  private final String shard;
  private final long byteOffset;

  public CorruptShardException(String shard, long byteOffset, String lastKey, String problem) {
    super("corrupt shard " + shard + " at byte " + byteOffset
        + (lastKey == null ? " (before the first sample)" : " (after sample key '" + lastKey + "')")
        + ": " + problem);
    this.shard = shard;
    this.byteOffset = byteOffset;
  }

  public String shard() {
    return shard;
  }

  public long byteOffset() {
    return byteOffset;
  }
}
