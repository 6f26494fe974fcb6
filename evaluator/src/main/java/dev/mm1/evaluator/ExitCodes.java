package dev.mm1.evaluator;

/**
 * Exit codes of the evaluator's CI-facing commands ({@code ./mm1 score}, {@code ./mm1 gate}); the
 * table in evaluator/README.md lists them (3 is the launcher's, for a command that is not built).
 * {@code ./mm1 eval}, which runs in the operator's pods, uses the pod contract of
 * {@link dev.mm1.api.ExitCodes} instead.
 */
public final class ExitCodes {
  /** Done: scores printed, or the gate passed. */
  public static final int OK = 0;
  /** The gate judged the checkpoint and it failed (a threshold missed or a regression too large). */
  public static final int GATE_FAILED = 1;
  /**
   * Invalid arguments or input: a missing, unreadable or malformed file, mismatched ids, an empty
   * prediction, an unknown benchmark or task, a missing image; for the gate also an unreachable
   * control plane, an eval that failed or a timeout (a CI job treats them all as errors).
   */
  public static final int INVALID = 2;
  /** An unexpected failure inside the evaluator (a bug); retryable like a crash. */
  public static final int INTERNAL = 70;

  private ExitCodes() {}
}
