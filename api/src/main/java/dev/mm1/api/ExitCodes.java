package dev.mm1.api;

import java.util.List;

/**
 * Exit codes of the trainer and evaluator processes, and which of them a gang restart cannot fix.
 * The operator's default {@code failurePolicy.nonRetryableExitCodes} is {@link #nonRetryable()}: a
 * worker that exits with one of these fails the training at once instead of using up restarts.
 * Every other non-zero code (killed, lost peer, I/O) is retryable.
 *
 * <p>The non-retryable codes follow BSD's sysexits.h where one fits (64 = EX_USAGE, 65 =
 * EX_DATAERR, 75 = EX_TEMPFAIL).
 */
public final class ExitCodes {
  private ExitCodes() {}

  /** The run finished: every step done and the last checkpoint committed. */
  public static final int DONE = 0;

  /** Invalid configuration or input (EX_USAGE): the same spec fails the same way again. */
  public static final int INVALID_CONFIG = 64;

  /** Data errors over the skip budget ({@code data.maxSkippedFraction}, EX_DATAERR). */
  public static final int DATA_ERRORS = 65;

  /** Divergence: the NaN/inf guard tripped; resuming from the last checkpoint diverges again. */
  public static final int DIVERGED = 66;

  /** The checkpoint to resume from belongs to another model or configuration and was refused. */
  public static final int FOREIGN_CHECKPOINT = 67;

  /** A peer of the gang was lost (EX_TEMPFAIL): retryable, the gang restarts. */
  public static final int LOST_PEER = 75;

  /** Killed by SIGKILL (128 + 9), e.g. out of memory: retryable. */
  public static final int KILLED = 137;

  /** Stopped by SIGTERM (128 + 15), e.g. preemption or a drained node: retryable. */
  public static final int TERMINATED = 143;

  /** The codes a restart cannot fix, in ascending order. */
  public static List<Integer> nonRetryable() {
    return List.of(INVALID_CONFIG, DATA_ERRORS, DIVERGED, FOREIGN_CHECKPOINT);
  }

  /** Whether {@code code} is one of {@link #nonRetryable()}. */
  public static boolean isNonRetryable(int code) {
    return nonRetryable().contains(code);
  }
}
