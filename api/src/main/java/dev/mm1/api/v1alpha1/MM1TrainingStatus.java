package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Observed state of a training, written by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MM1TrainingStatus {
  /** The metadata.generation this status describes. */
  public Long observedGeneration;

  /** Lifecycle phase: Pending, Queued, Running, Restarting, Succeeded, Failed or Suspended. */
  public TrainingPhase phase;

  /** Kubernetes-style conditions (Ready, Progressing, ControlPlaneReachable, ...). */
  public List<Condition> conditions = new ArrayList<>();

  /** Control-plane run id of this training. */
  public String runId;

  /** Current gang attempt, starting at 1; each gang restart adds one. */
  public Integer attempt;

  /** Gang restarts so far. */
  public Integer restarts;

  /** Worker pods running and ready. */
  public Integer readyWorkers;

  /** Worker pods the gang needs (spec.resources.nodes). */
  public Integer totalWorkers;

  /** Last optimizer step reported by the trainer. */
  public Long step;

  /** Training loss at that step. */
  public Double loss;

  /** The newest complete, checksum-verified checkpoint. */
  public CommittedCheckpoint latestCheckpoint;

  /** When the first attempt started (RFC 3339). */
  public String startTime;

  /** When the training succeeded or failed (RFC 3339). */
  public String completionTime;
}
