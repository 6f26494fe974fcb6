package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.Quantity;

/** A checkpoint PersistentVolumeClaim for the operator to create. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VolumeClaimSpec {
  /** Requested storage, e.g. "500Gi". */
  @Required
  @Pattern(Patterns.QUANTITY)
  public Quantity size;

  /** StorageClass of the claim; unset means the cluster default. */
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  public String storageClassName;

  /** Access mode: ReadWriteMany when several nodes write checkpoints. */
  public VolumeAccessMode accessMode = VolumeAccessMode.ReadWriteMany;
}
