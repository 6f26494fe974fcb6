package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Which checkpoint to evaluate, on which benchmarks and shot counts, and the gate it must pass. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MM1EvalSpec {
  /** The checkpoint to evaluate. */
  @Required public CheckpointReference checkpoint;

  /** The model of a URI checkpoint; unset means the model recorded with the checkpoint. */
  public ModelSpec model;

  /** Benchmarks to run; each runs at each of its shot counts. */
  @Required
  @Size(min = 1, max = 64)
  @ListType(value = "map", keys = "name")
  public List<BenchmarkSpec> benchmarks;

  /** Pass/fail criteria; without a gate the eval only records results. */
  public GateSpec gate;

  /** Pod resources and scheduling of the evaluator. */
  public ResourcesSpec resources = new ResourcesSpec();

  /** Container image of the evaluator, e.g. ghcr.io/org/evaluator:1.0; empty means the operator's default. */
  @Pattern(Patterns.IMAGE_REFERENCE)
  @Size(max = 512)
  public String image;

  /** Extras of the evaluator pod: service account, pull secrets, data volumes, env, grace period. */
  public WorkerPodSpec pod = new WorkerPodSpec();

  /** Seconds after the eval finishes before its Job is deleted; results stay in status and the control plane. */
  @Min(0)
  public Integer ttlSecondsAfterFinished;
}
