package dev.mm1.api.validation;

import dev.mm1.api.PodEnv;
import dev.mm1.api.PodMounts;
import dev.mm1.api.config.Canonical;
import dev.mm1.api.v1alpha1.ResourcesSpec;
import dev.mm1.api.v1alpha1.WorkerPodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rules of the parts of a spec that end up in a pod (resources, scheduling and {@code spec.pod}),
 * shared by trainings and evals: what the API server would refuse in the Job, said up front.
 */
final class PodRules {
  private PodRules() {}

  private static final List<String> TOLERATION_OPERATORS = List.of("Exists", "Equal");
  private static final List<String> TAINT_EFFECTS = List.of("", "NoSchedule", "PreferNoSchedule", "NoExecute");
  /** Label prefixes the operator and the Job controller set on pods. */
  private static final List<String> RESERVED_LABEL_PREFIXES = List.of("mm1.dev/", "batch.kubernetes.io/");
  private static final List<String> RESERVED_LABELS = List.of("job-name", "controller-uid");

  static void checkResources(ResourcesSpec resources, String path, Violations found) {
    if (resources.cpu != null) {
      found.add(path + ".cpu", KubernetesSyntax.positiveQuantity(resources.cpu));
    }
    if (resources.memory != null) {
      found.add(path + ".memory", KubernetesSyntax.positiveQuantity(resources.memory));
    }
    if (resources.sharedMemory != null) {
      var problem = KubernetesSyntax.positiveQuantity(resources.sharedMemory);
      found.add(path + ".sharedMemory", problem);
      if (problem.isEmpty() && resources.memory != null && KubernetesSyntax.positiveQuantity(resources.memory).isEmpty()
          && Quantity.getAmountInBytes(resources.sharedMemory).compareTo(Quantity.getAmountInBytes(resources.memory)) > 0) {
        found.add(path + ".sharedMemory", "'" + resources.sharedMemory + "' is more than memory ('" + resources.memory
            + "'): /dev/shm is memory-backed and counts against the pod's memory limit");
      }
    }
    checkLabels(resources.nodeSelector, path + ".nodeSelector", false, found);
    var tolerations = resources.tolerations == null ? List.<io.fabric8.kubernetes.api.model.Toleration>of() : resources.tolerations;
    for (int i = 0; i < tolerations.size(); i++) {
      var toleration = tolerations.get(i);
      var at = path + ".tolerations[" + i + "]";
      var operator = toleration.getOperator() == null ? "Equal" : toleration.getOperator();
      if (!TOLERATION_OPERATORS.contains(operator)) {
        found.add(at + ".operator", "'" + operator + "' is not a toleration operator: use Exists or Equal");
      }
      if (toleration.getEffect() != null && !TAINT_EFFECTS.contains(toleration.getEffect())) {
        found.add(at + ".effect", "'" + toleration.getEffect() + "' is not a taint effect: use NoSchedule, PreferNoSchedule or NoExecute");
      }
      if (toleration.getKey() == null || toleration.getKey().isEmpty()) {
        if (!"Exists".equals(operator)) {
          found.add(at + ".operator", "a toleration without a key matches every taint and needs operator Exists");
        }
      } else {
        found.add(at + ".key", KubernetesSyntax.labelKey(toleration.getKey()));
      }
      if ("Exists".equals(operator) && toleration.getValue() != null && !toleration.getValue().isEmpty()) {
        found.add(at + ".value", "must be empty when operator is Exists");
      } else if ("Equal".equals(operator)) {
        found.add(at + ".value", KubernetesSyntax.labelValue(toleration.getValue()));
      }
      if (toleration.getTolerationSeconds() != null && !"NoExecute".equals(toleration.getEffect())) {
        found.add(at + ".tolerationSeconds", "applies only to effect NoExecute");
      }
    }
    if (resources.topology != null && resources.queueName == null) {
      found.add(path + ".topology", "is a hint for Kueue's topology-aware scheduling: set queueName too");
    }
    if (resources.topology != null) {
      found.add(path + ".topology.level", KubernetesSyntax.labelKey(resources.topology.level));
    }
  }

  static void checkPod(WorkerPodSpec pod, String checkpointMountPath, String path, Violations found) {
    if (pod == null) {
      return;
    }
    var secrets = pod.imagePullSecrets == null ? List.<String>of() : pod.imagePullSecrets;
    for (int i = 0; i < secrets.size(); i++) {
      found.add(path + ".imagePullSecrets[" + i + "]", KubernetesSyntax.dns1123Subdomain(String.valueOf(secrets.get(i))));
    }
    var env = pod.env == null ? List.<io.fabric8.kubernetes.api.model.EnvVar>of() : pod.env;
    var owned = PodEnv.ALL_NAMES;
    for (int i = 0; i < env.size(); i++) {
      var variable = env.get(i);
      var at = path + ".env[" + i + "]";
      var problem = KubernetesSyntax.envName(variable.getName());
      if (problem.isPresent()) {
        found.add(at + ".name", problem.get());
      } else if (owned.contains(variable.getName())) {
        found.add(at + ".name", "'" + variable.getName() + "' is set by the operator (the pod environment contract); choose another name");
      }
      if (variable.getValue() != null && variable.getValueFrom() != null) {
        found.add(at, "set value or valueFrom, not both");
      }
    }
    var envFrom = pod.envFrom == null ? List.<io.fabric8.kubernetes.api.model.EnvFromSource>of() : pod.envFrom;
    for (int i = 0; i < envFrom.size(); i++) {
      var source = envFrom.get(i);
      var at = path + ".envFrom[" + i + "]";
      if ((source.getSecretRef() == null) == (source.getConfigMapRef() == null)) {
        found.add(at, "set exactly one of secretRef or configMapRef");
      }
      if (source.getPrefix() != null && !source.getPrefix().isEmpty()) {
        found.add(at + ".prefix", KubernetesSyntax.envName(source.getPrefix()));
      }
    }
    var volumeNames = new HashSet<String>();
    var volumes = pod.volumes == null ? List.<io.fabric8.kubernetes.api.model.Volume>of() : pod.volumes;
    for (int i = 0; i < volumes.size(); i++) {
      var volume = volumes.get(i);
      var at = path + ".volumes[" + i + "]";
      var name = volume.getName();
      if (name == null) {
        found.add(at + ".name", "is required");
        continue;
      }
      var problem = KubernetesSyntax.dns1123Label(name);
      if (problem.isPresent()) {
        found.add(at + ".name", problem.get());
      } else if (PodMounts.RESERVED_VOLUMES.contains(name)) {
        found.add(at + ".name", "'" + name + "' is a volume of the operator's own; reserved: " + PodMounts.RESERVED_VOLUMES);
      } else if (!volumeNames.add(name)) {
        found.add(at + ".name", "'" + name + "' is used by an earlier volume; names must be unique");
      }
      var sources = Canonical.tree(volume).size() - 1;
      if (sources != 1) {
        found.add(at, "'" + name + "' needs exactly one volume source (persistentVolumeClaim, secret, configMap, nfs, ...), has " + sources);
      }
    }
    var mounts = pod.volumeMounts == null ? List.<io.fabric8.kubernetes.api.model.VolumeMount>of() : pod.volumeMounts;
    var mountPaths = new HashSet<String>();
    for (int i = 0; i < mounts.size(); i++) {
      var mount = mounts.get(i);
      var at = path + ".volumeMounts[" + i + "]";
      if (mount.getName() == null || !volumeNames.contains(mount.getName())) {
        found.add(at + ".name", "'" + mount.getName() + "' is not a volume of spec.pod.volumes " + volumeNames.stream().sorted().toList());
      }
      var mountPath = mount.getMountPath();
      var problem = KubernetesSyntax.containerMountPath(mountPath);
      if (problem.isPresent()) {
        found.add(at + ".mountPath", problem.get());
        continue;
      }
      var reserved = reservedDir(mountPath);
      if (reserved.isPresent()) {
        found.add(at + ".mountPath", "'" + mountPath + "' collides with the operator's own mount " + reserved.get());
      } else if (checkpointMountPath != null && KubernetesSyntax.overlaps(mountPath, checkpointMountPath)) {
        found.add(at + ".mountPath", "'" + mountPath + "' collides with the checkpoint mount " + checkpointMountPath);
      } else if (!mountPaths.add(mountPath)) {
        found.add(at + ".mountPath", "'" + mountPath + "' is mounted by an earlier volumeMount");
      }
    }
    checkLabels(pod.labels, path + ".labels", true, found);
    if (pod.annotations != null) {
      pod.annotations.keySet().stream().sorted().forEach(key -> found.add(path + ".annotations", KubernetesSyntax.labelKey(key)));
    }
  }

  /** The operator mount {@code mountPath} collides with, if any. */
  static Optional<String> reservedDir(String mountPath) {
    return PodMounts.RESERVED_DIRS.stream().filter(dir -> KubernetesSyntax.overlaps(mountPath, dir)).findFirst();
  }

  private static void checkLabels(Map<String, String> labels, String path, boolean ownedByPods, Violations found) {
    if (labels == null) {
      return;
    }
    for (var entry : new java.util.TreeMap<>(labels).entrySet()) {
      var key = entry.getKey();
      found.add(path, KubernetesSyntax.labelKey(key));
      found.add(path + "." + key, KubernetesSyntax.labelValue(entry.getValue()));
      if (ownedByPods && (RESERVED_LABELS.contains(key) || RESERVED_LABEL_PREFIXES.stream().anyMatch(key::startsWith))) {
        found.add(path + "." + key, "is set by the operator or the Job controller; choose another key");
      }
    }
  }
}
