package dev.mm1.trainer.checkpoint;

/** A checkpoint that cannot be used: incomplete, corrupt, or not this run's. The message names it. */
public class CheckpointException extends Exception {
  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
