package dev.mm1.trainer.data;

/** The data pipeline cannot go on: a bad sample under the Fail policy, too many skipped samples, a misconfiguration, I/O. */
public class DataPipelineException extends RuntimeException {
  public DataPipelineException(String message) {
    super(message);
  }

  public DataPipelineException(String message, Throwable cause) {
    super(message, cause);
  }
}
