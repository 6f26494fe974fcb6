package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A minimum value one benchmark must reach at one shot count. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GateThreshold {
  /** Name of a benchmark of this eval. */
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  public String benchmark;

  /** Shot count the minimum applies to. */
  @Required
  @Min(0)
  @Max(64)
  public Integer shots;

  /** Lowest acceptable value of the benchmark's metric (CIDEr-D or VQA accuracy, 0-100 scale). */
  @Required
  @Min(0)
  public Double min;
}
