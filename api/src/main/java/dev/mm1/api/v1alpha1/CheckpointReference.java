package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** A checkpoint: one of another MM1Training's checkpoints, or an explicit URI. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.fromTraining) != has(self.uri)",
    message = "set exactly one of fromTraining or uri")
public class CheckpointReference {
  /** Name of an MM1Training in the same namespace whose checkpoint is used. */
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  public String fromTraining;

  /** Which checkpoint of fromTraining: "latest" or a step number such as "20000". */
  @Pattern("^(latest|[0-9]+)$")
  public String step = "latest";

  /** URI of a checkpoint directory (step-NNNNNNNNN) holding MANIFEST.json, used instead of fromTraining. */
  @Pattern("^(file|s3|gs|https?|pvc):.+")
  public String uri;
}
