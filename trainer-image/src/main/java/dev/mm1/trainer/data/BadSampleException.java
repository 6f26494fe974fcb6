package dev.mm1.trainer.data;

/** A sample that cannot be used, with the shard and sample key it came from. */
public final class BadSampleException extends Exception {
  public BadSampleException(String shard, String key, String problem) {
    super(shard + (key == null ? "" : ", sample '" + key + "'") + ": " + problem);
  }

  public BadSampleException(String shard, String key, String problem, Throwable cause) {
    this(shard, key, problem);
    initCause(cause);
  }
}
