package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A topology hint for Kueue's topology-aware scheduling: keep the gang's pods within one domain. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TopologySpec {
  /** Node label of the topology level, e.g. cloud.provider.com/topology-block or kubernetes.io/hostname. */
  @Required
  @Size(max = 317)
  @Pattern("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
  public String level;

  /** Required: admit the gang only inside one domain of that level; false: prefer it, fall back to wider. */
  public Boolean required = false;
}
