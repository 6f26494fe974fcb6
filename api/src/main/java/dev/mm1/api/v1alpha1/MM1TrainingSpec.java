package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What to train, on which data, how, and on how many nodes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.stage != 'SFT' || has(self.init)",
    message = "stage SFT needs init: the checkpoint to fine-tune from",
    fieldPath = ".init")
public class MM1TrainingSpec {
  /** Training stage: Pretrain from scratch (or from init), or SFT on instruction data. */
  @Required public TrainingStage stage;

  /** The network: a preset plus optional overrides of its components. */
  @Required public ModelSpec model;

  /** Checkpoint to start from; required for SFT, optional for Pretrain. */
  public CheckpointReference init;

  /** Training data: named sources mixed by weight, and how sequences are packed. */
  @Required public DataSpec data;

  /** Optimizer, batch sizes, learning-rate schedule and numeric precision. */
  @Required public OptimizationSpec optimization;

  /** Nodes, GPUs per node and scheduling constraints of the worker pods. */
  public ResourcesSpec resources = new ResourcesSpec();

  /** Container image of the trainer, e.g. ghcr.io/org/trainer:1.0; empty means the operator's default. */
  @Pattern(Patterns.IMAGE_REFERENCE)
  @Size(max = 512)
  public String image;

  /** Extras of the worker pods: service account, pull secrets, data volumes, env, grace period. */
  public WorkerPodSpec pod = new WorkerPodSpec();

  /** Data parallelism across the worker processes: ZeRO-1 sharding, gradient buckets, lost-worker timeouts. */
  public DataParallelSpec dataParallel = new DataParallelSpec();

  /** Where and how often checkpoints are written, and how many are kept. */
  public CheckpointSpec checkpoints = new CheckpointSpec();

  /** When a failed gang is restarted from the latest checkpoint and when the run gives up. */
  public FailurePolicySpec failurePolicy = new FailurePolicySpec();

  /** Stops the workers (keeping checkpoints) while true; setting it back to false resumes. */
  public Boolean suspend = false;

  /** Seconds after the run finishes before its pods, Job and Service are deleted; checkpoints stay. */
  @Min(0)
  public Integer ttlSecondsAfterFinished;
}
