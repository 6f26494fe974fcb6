package dev.mm1.api.v1alpha1;

/** Lifecycle phases of an MM1Eval. */
public enum EvalPhase {
  /** Accepted; the evaluator Job is being created. */
  Pending,
  /** The referenced training has no checkpoint yet. */
  Waiting,
  /** The evaluator is running. */
  Running,
  /** All benchmarks ran and the gate, if any, passed. */
  Succeeded,
  /** All benchmarks ran but the gate failed (see status.gate.failures). */
  GateFailed,
  /** The evaluator failed or the spec is invalid (see conditions). */
  Failed
}
