package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** One named source of WebDataset-style tar shards. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataSourceSpec {
  /** Source name, unique in the mixture; metrics and the data position are reported under it. */
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  public String name;

  /** Sample layout of the shards: Caption, Interleaved, Text or SFT. */
  @Required public DataSourceKind kind;

  /** Shard URI pattern with optional brace ranges, e.g. file:///data/cap/shard-{000000..000127}.tar. */
  @Required
  @Pattern("^(file|s3|gs|https?|pvc):.+|^/.+")
  public String shards;

  /** Relative sampling weight in the mixture; must be greater than 0. */
  @Required
  @Min(value = 0, inclusive = false)
  public Double weight;
}
