package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** How many worker pods run, what each asks for, and where they may be scheduled. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResourcesSpec {
  /** Worker pods (one per node); they form one gang that starts and restarts together. */
  @Min(1)
  @Max(4096)
  public Integer nodes = 1;

  /** nvidia.com/gpu per worker pod; 0 runs on CPU. */
  @Min(0)
  @Max(16)
  public Integer gpusPerNode = 0;

  /** CPU request and limit per worker pod, e.g. "8" or "500m". */
  public Quantity cpu;

  /** Memory request and limit per worker pod, e.g. "64Gi". */
  public Quantity memory;

  /** Node labels a worker pod's node must have. */
  public Map<String, String> nodeSelector;

  /** Taints the worker pods tolerate (e.g. dedicated GPU nodes). */
  public List<Toleration> tolerations;

  /** PriorityClass of the worker pods. */
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  public String priorityClassName;

  /** Kueue LocalQueue name; when set the Job is created suspended and admitted by Kueue as one gang. */
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  public String queueName;
}
