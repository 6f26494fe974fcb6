package dev.mm1.trainer.data.shard;

import java.util.Map;

/**
 * One WebDataset sample: the consecutive tar entries that share a key. {@code KEY.jpg} and
 * {@code KEY.txt} become parts {@code jpg} and {@code txt}; {@code KEY.2.png} becomes {@code 2.png}.
 *
 * @param shard the shard it came from, for error messages
 * @param key the sample key (entry name up to the first dot of its file name)
 * @param index the sample's ordinal in its shard, from 0
 * @param parts content by extension; empty when the sample was skipped rather than loaded
 */
public record ShardSample(String shard, String key, int index, Map<String, byte[]> parts) {

  /** The key of a tar entry name: directory plus file name up to its first dot. */
  public static String keyOf(String entryName) {
    int slash = entryName.lastIndexOf('/');
    int dot = entryName.indexOf('.', slash + 1);
    return dot < 0 ? entryName : entryName.substring(0, dot);
  }

  /** The extension of a tar entry name: everything after the first dot of its file name. */
  public static String extensionOf(String entryName) {
    int slash = entryName.lastIndexOf('/');
    int dot = entryName.indexOf('.', slash + 1);
    return dot < 0 ? "" : entryName.substring(dot + 1);
  }

  /** A short reference for messages: {@code shard-000001.tar, sample 'abc'}. */
  public String where() {
    return shard + ", sample '" + key + "'";
  }
}
