package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Overrides of the vision-language connector that turns patch features into image tokens. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConnectorSpec {
  /** Connector design: AveragePool, AttentionPool or CAbstractor. */
  public ConnectorType type;

  /** Image tokens per image given to the decoder; a perfect square such as 16, 64 or 144. */
  @Min(1)
  @Max(4096)
  public Integer imageTokens;
}
