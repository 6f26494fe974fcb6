package dev.mm1.api.v1alpha1;

/** Lifecycle phases of an MM1Training, shown in kubectl get. */
public enum TrainingPhase {
  /** Accepted; children being created or pods not yet running. */
  Pending,
  /** Waiting for Kueue to admit the gang. */
  Queued,
  /** All workers running. */
  Running,
  /** The gang failed and is being restarted from the latest checkpoint. */
  Restarting,
  /** The last step and its checkpoint are done. */
  Succeeded,
  /** Gave up: invalid spec, non-retryable exit or restarts exhausted (see conditions). */
  Failed,
  /** spec.suspend is true; workers stopped, checkpoints kept. */
  Suspended
}
