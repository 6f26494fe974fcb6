package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** Checkpoint storage and cadence. Checkpoints outlive the MM1Training that wrote them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "[has(self.claimName), has(self.createClaim), has(self.uri)].filter(x, x).size() <= 1",
    message = "set at most one of claimName, createClaim or uri")
public class CheckpointSpec {
  /** Existing PersistentVolumeClaim (ReadWriteMany for several nodes) the checkpoints go to. */
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  public String claimName;

  /** A PersistentVolumeClaim the operator creates for this training (kept when the training is deleted). */
  public VolumeClaimSpec createClaim;

  /** Checkpoint location as a URI (file:///shared/ckpt on a node-shared mount) instead of a claim. */
  @Pattern("^(file|s3|gs|pvc):.+")
  public String uri;

  /** Mount path of the checkpoint volume inside the worker pods. */
  @Pattern("^/.*")
  public String mountPath = "/checkpoints";

  /** Write a checkpoint every this many optimizer steps (and always at the last step). */
  @Min(1)
  public Long everySteps = 1000L;

  /** Complete checkpoints kept; older ones are deleted after a newer one is committed. */
  @Min(1)
  public Integer keepLast = 3;
}
