package dev.mm1.trainer.data;

/** A sample that cannot be used, with the shard and sample key it came from. */
public final class BadSampleException extends Exception {
  public BadSampleException(String shard, String key, String problem) {
    super(shard + (key == null ? "" : ", sample '" + key + "'") + ": " + problem);
  }

  /** A whole-shard problem whose message already names the shard (a corrupt tar). */
  public BadSampleException(String message, Throwable cause) {
    super(message, cause);
  }
}
