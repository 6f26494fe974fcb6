package dev.mm1.trainer.data;

/** More bad samples than the data spec allows (or one under {@code onBadSample: Fail}): not retryable. */
public final class SkipBudgetExceededException extends DataPipelineException {
  public SkipBudgetExceededException(String message, Throwable cause) {
    super(message, cause);
  }
}
