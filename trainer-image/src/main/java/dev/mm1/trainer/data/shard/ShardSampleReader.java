package dev.mm1.trainer.data.shard;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Groups the entries of one tar shard into {@link ShardSample}s, streaming: at most one sample's
 * content is in memory, and samples read with {@code load=false} are skipped by seeking.
 */
public final class ShardSampleReader implements Closeable {
  private final TarReader tar;
  private final String shard;
  private TarReader.Entry lookahead;
  private boolean started;
  private int nextIndex;

  public ShardSampleReader(TarReader tar, String shard) {
    this.tar = tar;
    this.shard = shard;
  }

  /** Opens a shard file for streaming. */
  public static ShardSampleReader open(Path file) throws IOException {
    String name = file.toString();
    long length = Files.size(file);
    return new ShardSampleReader(
        new TarReader(new BufferedInputStream(Files.newInputStream(file), 1 << 16), name, length), name);
  }

  /**
   * The next sample, or null at the end of the shard.
   *
   * @param load read the parts' content; when false the content is skipped and parts hold only the names
   */
  public ShardSample next(boolean load) throws IOException {
    if (!started) {
      lookahead = tar.next();
      started = true;
    }
    if (lookahead == null) {
      return null;
    }
    String key = ShardSample.keyOf(lookahead.name());
    Map<String, byte[]> parts = new LinkedHashMap<>();
    while (lookahead != null && ShardSample.keyOf(lookahead.name()).equals(key)) {
      String extension = ShardSample.extensionOf(lookahead.name());
      if (parts.containsKey(extension)) {
        break; // the same key again: WebDataset starts a new sample
      }
      parts.put(extension, load ? tar.readContent() : null);
      lookahead = tar.next();
    }
    return new ShardSample(shard, key, nextIndex++, parts);
  }

  /** Index the next sample will have. */
  public int nextIndex() {
    return nextIndex;
  }

  /** Key of the last entry read, for error messages after a corruption. */
  public String lastKey() {
    return tar.lastName() == null ? null : ShardSample.keyOf(tar.lastName());
  }

  public String shard() {
    return shard;
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }
}
