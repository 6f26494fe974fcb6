package dev.mm1.controlplane.goodput;

import java.util.List;

/**
 * The metric series a trainer reports for the goodput panel, and what each one means. This is the
 * contract with the trainer: every value is in seconds unless it says otherwise.
 */
public final class GoodputSignals {
  private GoodputSignals() {}

  /**
   * Per step: the step's whole wall time, from the end of the previous step to the end of this one,
   * so it contains the step's {@link #DATA_WAIT} and {@link #CHECKPOINT_STALL}.
   */
  public static final String STEP_TIME = "step_time_s";
  /** Per step: how long the step waited for its batch. */
  public static final String DATA_WAIT = "data_wait_s";
  /** At a checkpoint's step: how long training stood still while the checkpoint was taken. */
  public static final String CHECKPOINT_STALL = "goodput/checkpoint_stall_s";
  /** Once per resume, at the resumed step: how many steps the previous attempt ran that are run again. */
  public static final String RECOMPUTED_STEPS = "goodput/recomputed_steps";
  /** Once per resume, at the attempt's first step: from the previous attempt's last step to this one. */
  public static final String RESTART_GAP = "goodput/restart_gap_s";
  /** Once per attempt, at its first step: from the process start to the first step. */
  public static final String STARTUP = "goodput/startup_s";
  /** Per step: model FLOPs utilisation, 0 to 1 (program goodput). */
  public static final String MFU = "mfu";
  /** Per step: the training loss; places an attempt's steps when {@link #STEP_TIME} is not reported. */
  public static final String LOSS = "loss";

  /** Every series the panel reads. */
  public static final List<String> ALL =
      List.of(STEP_TIME, DATA_WAIT, CHECKPOINT_STALL, RECOMPUTED_STEPS, RESTART_GAP, STARTUP, MFU, LOSS);
}
