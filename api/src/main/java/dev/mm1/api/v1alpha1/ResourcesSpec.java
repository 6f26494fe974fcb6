package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** How many worker pods run, what each asks for, and where they may be scheduled. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.topology) || has(self.queueName)",
    message = "topology is a hint for Kueue: set queueName too", fieldPath = ".topology")
public class ResourcesSpec {
  /** Worker pods (one per node); they form one gang that starts and restarts together. */
  @Min(1)
  @Max(4096)
  public Integer nodes = 1;

  /** nvidia.com/gpu per worker pod; 0 runs on CPU. */
  @Min(0)
  @Max(16)
  public Integer gpusPerNode = 0;

  /** Trainer processes per pod (NPROC_PER_NODE); unset means gpusPerNode, or 1 on CPU. */
  @Min(1)
  @Max(256)
  public Integer processesPerNode;

  /** CPU request and limit per worker pod, e.g. "8" or "500m". */
  @Pattern(Patterns.QUANTITY)
  public Quantity cpu;

  /** Memory request and limit per worker pod, e.g. "64Gi". */
  @Pattern(Patterns.QUANTITY)
  public Quantity memory;

  /** Size limit of the pod's /dev/shm (memory-backed, counted against memory); unset means half of memory, or 1Gi. */
  @Pattern(Patterns.QUANTITY)
  public Quantity sharedMemory;

  /** Node labels a worker pod's node must have. */
  public Map<String, String> nodeSelector;

  /** Taints the worker pods tolerate (e.g. dedicated GPU nodes). */
  @Size(max = 64)
  @ValidationRule(value = "self.all(t, !has(t.operator) || t.operator in ['Exists', 'Equal'])",
      message = "a toleration's operator is Exists or Equal")
  @ValidationRule(value = "self.all(t, !has(t.effect) || t.effect in ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'])",
      message = "a toleration's effect is NoSchedule, PreferNoSchedule or NoExecute")
  public List<Toleration> tolerations;

  /** PriorityClass of the worker pods. */
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  public String priorityClassName;

  /** Kueue LocalQueue name; when set the Job is created suspended and admitted by Kueue as one gang. */
  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  public String queueName;

  /** Topology hint for Kueue (needs queueName): the gang's pods land within one block, rack or host group. */
  public TopologySpec topology;
}
