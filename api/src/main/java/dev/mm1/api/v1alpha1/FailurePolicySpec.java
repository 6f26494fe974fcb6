package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.List;

/** Gang restarts: a failed worker restarts every worker from the latest complete checkpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailurePolicySpec {
  /** Gang restarts allowed before the training is Failed. */
  @Min(0)
  @Max(1000)
  public Integer maxRestarts = 3;

  /** Worker exit codes that fail the training at once, without a restart (e.g. 2 = bad configuration). */
  public List<Integer> nonRetryableExitCodes = List.of(2);
}
