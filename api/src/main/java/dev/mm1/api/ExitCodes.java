package dev.mm1.api;

import java.util.List;

/**
 * Exit codes of the trainer and evaluator processes, and which of them a restart cannot fix. The
 * operator's default {@code failurePolicy.nonRetryableExitCodes} is {@link #nonRetryable()}: a gang
 * whose worker exits with one of those fails at once instead of using up restarts. Every other
 * non-zero code (killed by a signal, a lost peer, an I/O error, an unexpected exception) is
 * retryable: the gang restarts from the latest committed checkpoint.
 */
public final class ExitCodes {
  /** Finished: every step trained (or every benchmark evaluated). */
  public static final int OK = 0;

  /** The configuration or an input is invalid (a bad spec, an unknown preset, unreadable or empty data). */
  public static final int INVALID_CONFIG = 64;

  /** More bad samples than the data spec's skip budget allows (or one under onBadSample: Fail). */
  public static final int DATA_ERRORS = 65;

  /** Training diverged: the loss or gradient norm was not finite for too many steps in a row. */
  public static final int DIVERGED = 66;

  /** A checkpoint was refused: another model's shape, or a config that changed more than resumable fields. */
  public static final int INCOMPATIBLE_CHECKPOINT = 67;

  /**
   * The work is done but its results could not be delivered to the control plane (unreachable
   * until the deadline): they are spooled beside the output and sent by the next start.
   */
  public static final int UNDELIVERED = 69;

  /** An I/O error (full disk, unwritable checkpoint directory): retryable once the storage is fixed. */
  public static final int IO_ERROR = 74;

  /** A data-parallel peer was lost or unreachable: retryable. */
  public static final int PEER_LOST = 75;

  /**
   * Data-parallel workers hold different weights (a worker computed differently: other thread
   * counts or libraries, or a faulty machine): retryable, the gang restarts from its checkpoint.
   */
  public static final int REPLICAS_DIFFER = 76;

  /** Stopped by SIGTERM (128 + 15): retryable, nothing half-written left visible. */
  public static final int TERMINATED = 143;

  private ExitCodes() {}

  /** The codes a restart cannot fix. */
  public static List<Integer> nonRetryable() {
    return List.of(INVALID_CONFIG, DATA_ERRORS, DIVERGED, INCOMPATIBLE_CHECKPOINT);
  }
}
