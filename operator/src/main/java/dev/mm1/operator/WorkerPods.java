package dev.mm1.operator;

import dev.mm1.api.v1alpha1.ResourcesSpec;
import dev.mm1.api.v1alpha1.WorkerPodSpec;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of trainer and evaluator pods that follow from {@code spec.resources} and
 * {@code spec.pod} alike: requests and limits, the security context, the /dev/shm size, the
 * user's service account, pull secrets, labels and annotations.
 */
public final class WorkerPods {
  public static final String GPU = "nvidia.com/gpu";
  /** /dev/shm when neither sharedMemory nor memory says more. */
  static final Quantity DEFAULT_SHARED_MEMORY = new Quantity("1Gi");

  private WorkerPods() {}

  /** cpu and memory as request = limit, and gpusPerNode x nvidia.com/gpu. */
  public static ResourceRequirements resources(ResourcesSpec resources) {
    var amounts = new LinkedHashMap<String, Quantity>();
    if (resources.cpu != null) {
      amounts.put("cpu", resources.cpu);
    }
    if (resources.memory != null) {
      amounts.put("memory", resources.memory);
    }
    if (resources.gpusPerNode != null && resources.gpusPerNode > 0) {
      amounts.put(GPU, new Quantity(Integer.toString(resources.gpusPerNode)));
    }
    return new ResourceRequirementsBuilder().withRequests(amounts).withLimits(amounts).build();
  }

  /**
   * The size limit of /dev/shm: spec.resources.sharedMemory, else half the memory limit (data
   * loaders and NCCL use it, and it counts against the limit), else 1Gi.
   */
  public static Quantity sharedMemory(ResourcesSpec resources) {
    if (resources.sharedMemory != null) {
      return resources.sharedMemory;
    }
    if (resources.memory != null) {
      var bytes = Quantity.getAmountInBytes(resources.memory).divide(BigDecimal.valueOf(2), 0, RoundingMode.DOWN);
      return new Quantity(bytes.toPlainString());
    }
    return DEFAULT_SHARED_MEMORY;
  }

  /**
   * Pod Security "restricted": never root, the runtime's default seccomp profile; fsGroup so the
   * non-root user can write to a checkpoint claim.
   */
  public static PodSecurityContext podSecurity(WorkerPodSpec pod) {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(pod.runAsUser)
        .withRunAsGroup(pod.runAsGroup)
        .withFsGroup(pod.fsGroup)
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  /** Pod Security "restricted" for the container: no privilege escalation, no capabilities. */
  public static SecurityContext containerSecurity() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withRunAsNonRoot(true)
        .withCapabilities(new Capabilities(null, List.of("ALL")))
        .build();
  }

  public static List<LocalObjectReference> pullSecrets(WorkerPodSpec pod) {
    return pod.imagePullSecrets == null ? List.of() : pod.imagePullSecrets.stream().map(LocalObjectReference::new).toList();
  }

  /** The operator's labels first, the user's extras after (validation keeps them from overlapping). */
  public static Map<String, String> labels(Map<String, String> own, WorkerPodSpec pod) {
    var labels = new LinkedHashMap<String, String>();
    if (pod.labels != null) {
      labels.putAll(pod.labels);
    }
    labels.putAll(own);
    return labels;
  }

  public static Map<String, String> annotations(Map<String, String> own, WorkerPodSpec pod) {
    var annotations = new LinkedHashMap<String, String>();
    if (pod.annotations != null) {
      annotations.putAll(pod.annotations);
    }
    annotations.putAll(own);
    return annotations;
  }
}
