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

  /** Kubernetes-style conditions (Ready, Complete, Failed, Suspended, Progressing, SpecAccepted, ...). */
  @ListType(value = "map", keys = "type")
  public List<Condition> conditions = new ArrayList<>();

  /** Control-plane run id of this training. */
  public String runId;

  /** Current gang attempt, starting at 1; each gang restart adds one. */
  public Integer attempt;

  /** Gang restarts so far that counted against failurePolicy.maxRestarts. */
  public Integer restarts;

  /** Gang restarts caused by preemption, eviction or a drained node; they do not count against maxRestarts. */
  public Integer disruptions;

  /** Worker pods running and ready. */
  public Integer readyWorkers;

  /** Worker pods the gang needs (spec.resources.nodes). */
  public Integer totalWorkers;

  /** Last optimizer step reported by the trainer. */
  public Long step;

  /** Training loss at that step. */
  public Double loss;

  /** When the step last moved (RFC 3339); the stall check of failurePolicy.progressDeadlineSeconds starts here. */
  public String lastProgressTime;

  /** The newest complete, checksum-verified checkpoint. */
  public CommittedCheckpoint latestCheckpoint;

  /** When the first attempt started (RFC 3339). */
  public String startTime;

  /** When the training succeeded or failed (RFC 3339). */
  public String completionTime;
}
