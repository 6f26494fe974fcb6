package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** AdamW optimisation: steps, batch sizes, learning-rate schedule, regularisation and precision. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OptimizationSpec {
  /** Total optimizer steps. */
  @Required
  @Min(1)
  public Long steps;

  /** Sequences per optimizer step across all workers; divisible by workers x microBatchSize. */
  @Required
  @Min(1)
  public Integer globalBatchSize;

  /** Sequences per forward/backward pass on one worker; gradients accumulate up to the global batch. */
  @Min(1)
  public Integer microBatchSize = 1;

  /** Peak learning rate. */
  @Required
  @Min(value = 0, inclusive = false)
  public Double learningRate;

  /** Steps of linear warm-up from 0 to the peak learning rate. */
  @Min(0)
  public Long warmupSteps = 0L;

  /** Learning-rate decay after warm-up: Cosine, Linear or Constant. */
  public LearningRateSchedule schedule = LearningRateSchedule.Cosine;

  /** Final learning rate as a fraction of the peak. */
  @Min(0)
  @Max(1)
  public Double minLearningRateRatio = 0.1;

  /** Decoupled AdamW weight decay. */
  @Min(0)
  public Double weightDecay = 0.1;

  /** AdamW beta1. */
  @Min(0)
  @Max(value = 1, inclusive = false)
  public Double beta1 = 0.9;

  /** AdamW beta2. */
  @Min(0)
  @Max(value = 1, inclusive = false)
  public Double beta2 = 0.95;

  /** Largest global gradient norm before clipping; 0 disables clipping. */
  @Min(0)
  public Double gradClip = 1.0;

  /** Optimizer steps in a row whose loss or gradient is not finite that are skipped before the run stops as diverged. */
  @Min(1)
  public Integer maxConsecutiveSkips = 5;

  /**
   * Numeric precision of training: FP32, or FP16 on GPUs (float16 passes on float32 master weights,
   * dynamic loss scaling); BF16 is refused (the engine cannot run bfloat16).
   */
  public Precision precision = Precision.FP32;
}
