package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Observed state of an eval, written by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MM1EvalStatus {
  /** The metadata.generation this status describes. */
  public Long observedGeneration;

  /** Lifecycle phase: Pending, Waiting, Running, Succeeded, GateFailed or Failed. */
  public EvalPhase phase;

  /** Kubernetes-style conditions (Ready, Complete, Failed, GatePassed, CheckpointResolved, ...). */
  @ListType(value = "map", keys = "type")
  public List<Condition> conditions = new ArrayList<>();

  /** Control-plane run id of this eval. */
  public String runId;

  /** The checkpoint the reference resolved to. */
  public CommittedCheckpoint checkpoint;

  /** One result per benchmark and shot count. */
  public List<BenchmarkResult> results = new ArrayList<>();

  /** The gate verdict; absent while running or when spec.gate is unset. */
  public GateVerdict gate;

  /** When the evaluator started (RFC 3339). */
  public String startTime;

  /** When the eval finished (RFC 3339). */
  public String completionTime;
}
