package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import dev.mm1.api.ExitCodes;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Gang restarts: a failed worker restarts every worker from the latest complete checkpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailurePolicySpec {
  /** Gang restarts allowed before the training is Failed. */
  @Min(0)
  @Max(1000)
  public Integer maxRestarts = 3;

  /** Worker exit codes that fail the training at once, without a restart (default: the trainer's 64-67, see ExitCodes). */
  @Size(max = 255)
  @ListType("set")
  @ValidationRule(value = "self.all(c, c >= 1 && c <= 255)",
      message = "exit codes are 1 to 255 (0 is success and can never be non-retryable)")
  public List<Integer> nonRetryableExitCodes = ExitCodes.nonRetryable();

  /** Seconds without a new optimizer step before the training is reported Stalled (condition and event); 0 turns it off. */
  @Min(0)
  @Max(31536000)
  public Integer progressDeadlineSeconds = 1800;
}
