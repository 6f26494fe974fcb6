package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.Map;

/**
 * What the operator's pods take from the user beyond the model and resources: identity, registry
 * credentials, data and credential volumes, extra environment, labels and shutdown time.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkerPodSpec {
  /** ServiceAccount the pods run as (e.g. one bound to cloud storage); unset means the namespace's default. */
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @Size(max = 253)
  public String serviceAccountName;

  /** Names of Secrets in this namespace holding registry credentials for the image. */
  @Size(max = 16)
  public List<String> imagePullSecrets;

  /** Extra environment variables of the container, e.g. data-loader settings. */
  @Size(max = 128)
  public List<EnvVar> env;

  /** Environment from Secrets or ConfigMaps, e.g. object-store credentials. */
  @Size(max = 32)
  public List<EnvFromSource> envFrom;

  /** Extra volumes of the pods: the training data, credentials files, caches. */
  @Size(max = 32)
  public List<Volume> volumes;

  /** Where the container mounts those volumes (e.g. the data volume at /data). */
  @Size(max = 64)
  public List<VolumeMount> volumeMounts;

  /** Extra labels of the pods (for cost reports or policies); the mm1.dev/ prefix is the operator's. */
  public Map<String, String> labels;

  /** Extra annotations of the pods. */
  public Map<String, String> annotations;

  /** Seconds a stopping pod gets between SIGTERM and SIGKILL, e.g. to finish a checkpoint. */
  @Min(0)
  @Max(86400)
  public Long terminationGracePeriodSeconds;

  /** User id the container runs as; the pods never run as root (Pod Security restricted). */
  @Min(1)
  @Max(2147483647)
  public Long runAsUser = 1000L;

  /** Group id of the container's processes. */
  @Min(0)
  @Max(2147483647)
  public Long runAsGroup = 1000L;

  /** Group that owns mounted volumes, so the non-root user can write checkpoints to a claim. */
  @Min(0)
  @Max(2147483647)
  public Long fsGroup = 1000L;
}
