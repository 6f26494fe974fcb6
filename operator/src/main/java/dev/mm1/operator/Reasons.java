package dev.mm1.operator;

/**
 * Condition types, reasons and messages the operator writes into status and events: the one place
 * they are spelled, so users and alerts can rely on them.
 */
public final class Reasons {
  private Reasons() {}

  // Condition types
  public static final String READY = "Ready";
  public static final String CONTROL_PLANE_REACHABLE = "ControlPlaneReachable";
  public static final String SPEC_ACCEPTED = "SpecAccepted";
  public static final String CHECKPOINT_RESOLVED = "CheckpointResolved";
  /** Like Job and JobSet: True once the run succeeded. */
  public static final String COMPLETE = "Complete";
  /** Like Job and JobSet: True once the run failed for good (reason says why). */
  public static final String FAILED = "Failed";
  /** True while spec.suspend holds the workers stopped. */
  public static final String SUSPENDED_CONDITION = "Suspended";
  /** Whether the trainer's step moves (False: stalled past failurePolicy.progressDeadlineSeconds). */
  public static final String PROGRESSING = "Progressing";
  /** Whether the last reconcile went through (False: the error, which is retried). */
  public static final String RECONCILED = "Reconciled";

  // Reasons
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String CREATING = "Creating";
  public static final String QUEUED = "Queued";
  public static final String WORKERS_STARTING = "WorkersStarting";
  public static final String RUNNING = "Running";
  public static final String GANG_RESTARTED = "GangRestarted";
  public static final String RESTARTS_EXHAUSTED = "RestartsExhausted";
  public static final String NON_RETRYABLE_EXIT = "NonRetryableExit";
  public static final String COMPLETED = "Completed";
  public static final String SUSPENDED = "Suspended";
  public static final String RESUMED = "Resumed";
  public static final String TTL_EXPIRED = "TTLExpired";
  public static final String IMMUTABLE_FIELD_CHANGED = "ImmutableFieldChanged";
  public static final String ACCEPTED = "Accepted";
  public static final String REGISTERED = "Registered";
  public static final String UNREACHABLE = "Unreachable";
  public static final String NOT_CONFIGURED = "NotConfigured";
  public static final String CHILD_RECREATED = "ChildRecreated";
  public static final String WAITING_FOR_CHECKPOINT = "WaitingForCheckpoint";
  public static final String TRAINING_NOT_FOUND = "TrainingNotFound";
  public static final String CHECKPOINT_FOUND = "CheckpointFound";
  public static final String EVALUATOR_FAILED = "EvaluatorFailed";
  public static final String GATE_PASSED = "GatePassed";
  public static final String GATE_FAILED = "GateFailed";
  public static final String NO_RESULTS = "NoResults";
  public static final String EVALUATING = "Evaluating";
  public static final String WAITING_FOR_BASELINE = "WaitingForBaseline";
  public static final String DISRUPTED = "Disrupted";
  public static final String ATTEMPTS_EXHAUSTED = "AttemptsExhausted";
  public static final String FINISHED = "Finished";
  public static final String CHILD_NAME_TAKEN = "ChildNameTaken";
  public static final String TOKEN_SECRET_MISSING = "ControlPlaneTokenMissing";
  public static final String UNSCHEDULABLE = "Unschedulable";
  public static final String IMAGE_PULL_FAILED = "ImagePullFailed";
  public static final String CONTAINER_CONFIG_ERROR = "ContainerConfigError";
  public static final String POD_CREATE_FAILED = "PodCreateFailed";
  public static final String WAITING_FOR_PREVIOUS_GANG = "WaitingForPreviousGang";
  public static final String STEP_ADVANCING = "StepAdvancing";
  public static final String STALLED = "Stalled";
  public static final String RECONCILE_ERROR = "ReconcileError";
  public static final String RUN_NOT_CLOSED = "RunNotClosed";
  /** Condition type of an eval's gate verdict. */
  public static final String GATE = "GatePassed";

  // Messages (String.format templates)
  public static final String MSG_INVALID_SPEC = "%s: %s";
  public static final String MSG_QUEUED = "Job %s waits for Kueue queue %s to admit the gang";
  public static final String MSG_STARTING = "%d of %d workers ready (attempt %d)";
  public static final String MSG_RUNNING = "all %d workers ready (attempt %d)";
  public static final String MSG_GANG_RESTARTED = "attempt %d failed (%s); restart %d of %d resumes from the latest checkpoint";
  public static final String MSG_RESTARTS_EXHAUSTED = "attempt %d failed (%s) after %d of %d restarts";
  public static final String MSG_NON_RETRYABLE = "worker %s exited with non-retryable code %d";
  public static final String MSG_NON_RETRYABLE_JOB = "Job %s failed by its podFailurePolicy: %s";
  public static final String MSG_DISRUPTED = "attempt %d broke (%s); the gang resumes from the latest checkpoint (disruptions do not count against maxRestarts)";
  public static final String MSG_ATTEMPTS_EXHAUSTED = "attempt %d broke (%s) and no attempt is left (the limit is %d)";
  public static final String MSG_FINISHED = "the training has finished (%s); spec changes no longer run anything";
  public static final String MSG_CHILD_NAME_TAKEN = "%s %s already exists and does not belong to this %s; delete or rename it";
  public static final String MSG_TOKEN_SECRET_MISSING = "Secret %s (key %s) is missing in namespace %s: workers could not report to the control plane; create it, e.g. kubectl create secret generic %s --from-literal=%s=<token>";
  public static final String MSG_WAITING_FOR_PREVIOUS_GANG = "attempt %d waits until every pod of earlier attempts is gone (%d left), so that two gangs never write the same checkpoints";
  public static final String MSG_STEP_ADVANCING = "step %d at %s";
  public static final String MSG_STALLED = "step %s has not moved since %s (failurePolicy.progressDeadlineSeconds=%d)";
  public static final String MSG_RECONCILED = "the last reconcile went through";
  public static final String MSG_RUN_NOT_CLOSED = "run %s could not be closed in the control plane within %s (%s); the resource is deleted anyway";
  public static final String MSG_COMPLETED = "all %d workers completed (attempt %d)";
  public static final String MSG_SUSPENDED = "spec.suspend is true: workers stopped, checkpoints kept";
  public static final String MSG_RESUMED = "spec.suspend is false again: attempt %d resumes from the latest checkpoint";
  public static final String MSG_TTL_EXPIRED = "ttlSecondsAfterFinished=%d passed: Job, pods, Service and ConfigMap deleted, checkpoints kept";
  public static final String MSG_IMMUTABLE = "%s cannot change while the training exists (only spec.suspend, spec.failurePolicy.maxRestarts and spec.ttlSecondsAfterFinished can); still running the accepted spec";
  public static final String MSG_REGISTERED = "run %s registered at %s";
  public static final String MSG_UNREACHABLE = "control plane %s: %s; reconciling continues without progress data";
  public static final String MSG_NOT_CONFIGURED = "no control plane URL configured (mm1.operator.control-plane.url); progress is not mirrored";
  public static final String MSG_CHILD_RECREATED = "%s %s was missing and has been recreated";
  public static final String MSG_WAITING_FOR_CHECKPOINT = "MM1Training %s has no committed checkpoint%s yet";
  public static final String MSG_TRAINING_NOT_FOUND = "MM1Training %s does not exist in namespace %s";
  public static final String MSG_CHECKPOINT_FOUND = "step %d at %s";
  public static final String MSG_NO_RESULTS = "evaluator Job %s completed but run %s has no results";
  public static final String MSG_EVALUATING = "evaluator Job %s runs %d benchmark(s) on step %s";
  public static final String MSG_EVAL_DONE = "%d result(s) recorded";
  public static final String MSG_GATE_PASSED = "every threshold met and no regression beyond the limit";
  public static final String MSG_WAITING_FOR_BASELINE = "baseline MM1Eval %s has not succeeded yet";
  public static final String MSG_EVALUATOR_FAILED = "evaluator Job %s failed: %s";
}
