package dev.mm1.local.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mm1.api.PodEnv;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prepares a pod to run here: its volumes as directories (config maps and secrets written out,
 * host paths and claims resolved to this machine), its container's environment resolved from the
 * API ({@code secretKeyRef}, {@code fieldRef}, ...) and its command line, with every container path
 * translated through the pod's {@link MountTable} and every cluster DNS name of a pod or Service
 * pointed at 127.0.0.1. Rendezvous ports are mapped to free local ports per pod host name (pods
 * here share one network), so that {@code MASTER_PORT} of every worker of a gang names the port
 * its rank 0 listens on.
 */
final class PodSandbox {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private PodSandbox() {}

  /** What preparing found. */
  sealed interface Prepared {
    /** Ready to start. */
    record Launch(List<String> command, Map<String, String> env, Path directory, Path log, MountTable mounts) implements Prepared {}

    /** Not yet: the kubelet's waiting reason (ContainerCreating, CreateContainerConfigError, ErrImagePull). */
    record Waiting(String reason, String message) implements Prepared {}
  }

  static Prepared prepare(Pod pod, NodeConfig node, KubernetesClient client, Ports ports) throws IOException {
    var namespace = pod.getMetadata().getNamespace();
    var spec = pod.getSpec();
    if (spec.getContainers() == null || spec.getContainers().size() != 1
        || (spec.getInitContainers() != null && !spec.getInitContainers().isEmpty())) {
      return new Prepared.Waiting("CreateContainerError", "the local node runs pods of exactly one container and no init containers");
    }
    var container = spec.getContainers().getFirst();
    var command = Entrypoints.commandLine(container, node.mm1());
    if (command.isEmpty()) {
      return new Prepared.Waiting("ErrImagePull", "image \"" + container.getImage() + "\" is not available on the local node, which runs "
          + Entrypoints.known() + " with ./mm1 as their entrypoint");
    }
    var directory = node.pods().resolve(namespace).resolve(pod.getMetadata().getName());
    Files.createDirectories(directory.resolve("volumes"));

    var volumes = new LinkedHashMap<String, Path>();
    var configFiles = new ArrayList<Path>();
    for (var volume : spec.getVolumes() == null ? List.<Volume>of() : spec.getVolumes()) {
      var local = directory.resolve("volumes").resolve(volume.getName());
      if (volume.getConfigMap() != null) {
        var source = volume.getConfigMap();
        var map = client.configMaps().inNamespace(namespace).withName(source.getName()).get();
        if (map == null) {
          if (Boolean.TRUE.equals(source.getOptional())) {
            Files.createDirectories(local);
            volumes.put(volume.getName(), local);
            continue;
          }
          return new Prepared.Waiting("ContainerCreating",
              "MountVolume.SetUp failed for volume \"" + volume.getName() + "\" : configmap \"" + source.getName() + "\" not found");
        }
        var data = map.getData() == null ? Map.<String, String>of() : map.getData();
        configFiles.addAll(writeFiles(local, data, source.getItems()));
      } else if (volume.getSecret() != null) {
        var source = volume.getSecret();
        var secret = client.secrets().inNamespace(namespace).withName(source.getSecretName()).get();
        if (secret == null) {
          return new Prepared.Waiting("ContainerCreating",
              "MountVolume.SetUp failed for volume \"" + volume.getName() + "\" : secret \"" + source.getSecretName() + "\" not found");
        }
        writeFiles(local, secretData(secret), source.getItems());
      } else if (volume.getEmptyDir() != null) {
        Files.createDirectories(local);
      } else if (volume.getHostPath() != null) {
        local = node.local(volume.getHostPath().getPath());
        var type = volume.getHostPath().getType() == null ? "" : volume.getHostPath().getType();
        if (type.equals("Directory") && !Files.isDirectory(local)) {
          return new Prepared.Waiting("ContainerCreating", "MountVolume.SetUp failed for volume \"" + volume.getName()
              + "\" : hostPath type check failed: " + volume.getHostPath().getPath() + " is not a directory (here: " + local + ")");
        }
        if (type.isEmpty() || type.equals("DirectoryOrCreate")) {
          Files.createDirectories(local);
        }
      } else if (volume.getPersistentVolumeClaim() != null) {
        var claimName = volume.getPersistentVolumeClaim().getClaimName();
        var claim = client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get();
        if (claim == null || claim.getSpec().getVolumeName() == null) {
          return new Prepared.Waiting("ContainerCreating", "persistentvolumeclaim \"" + claimName + "\" is not bound");
        }
        var volumeObject = client.persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
        if (volumeObject == null) {
          return new Prepared.Waiting("ContainerCreating", "persistentvolume \"" + claim.getSpec().getVolumeName() + "\" not found");
        }
        local = Volumes.localPath(volumeObject, node);
        Files.createDirectories(local);
      } else {
        return new Prepared.Waiting("ContainerCreating", "volume \"" + volume.getName()
            + "\": only configMap, secret, emptyDir, hostPath and persistentVolumeClaim volumes are supported on the local node");
      }
      volumes.put(volume.getName(), local);
    }

    var mounts = new ArrayList<MountTable.Mount>();
    for (var mount : container.getVolumeMounts() == null ? List.<io.fabric8.kubernetes.api.model.VolumeMount>of() : container.getVolumeMounts()) {
      var local = volumes.get(mount.getName());
      if (local == null) {
        return new Prepared.Waiting("CreateContainerConfigError", "volumeMount \"" + mount.getName() + "\" names no volume of the pod");
      }
      if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
        local = local.resolve(mount.getSubPath());
      }
      mounts.add(new MountTable.Mount(mount.getMountPath(), local, Boolean.TRUE.equals(mount.getReadOnly())));
    }
    var table = new MountTable(mounts);
    for (var file : configFiles) {
      rewriteJson(file, table);
    }

    var env = new LinkedHashMap<String, String>();
    var problem = resolveEnv(pod, container, client, env);
    if (problem != null) {
      return new Prepared.Waiting("CreateContainerConfigError", problem);
    }
    var names = new Names(pod, client);
    env.replaceAll((name, value) -> names.local(table.rewrite(value)));
    var masterAddr = container.getEnv() == null ? null
        : container.getEnv().stream().filter(e -> e.getName().equals(PodEnv.MASTER_ADDR)).map(EnvVar::getValue).findFirst().orElse(null);
    if (masterAddr != null && env.containsKey(PodEnv.MASTER_PORT) && names.isLocal(masterAddr)) {
      env.put(PodEnv.MASTER_PORT, Integer.toString(ports.port(namespace, names.host(masterAddr), Integer.parseInt(env.get(PodEnv.MASTER_PORT)))));
    }
    env.put("HOSTNAME", spec.getHostname() != null ? spec.getHostname() : pod.getMetadata().getName());
    env.put("MM1_NO_BUILD", "1");
    var cpu = cpuLimit(container);
    if (cpu != null && !env.containsKey("MM1_THREADS")) {
      env.put("MM1_THREADS", Integer.toString(cpu)); // the container's CPU limit, as a cgroup would enforce it
    }
    return new Prepared.Launch(command.get(), env, directory, directory.resolve(container.getName() + ".log"), table);
  }

  /** The environment of the container as the kubelet builds it: envFrom first, then env in order. */
  private static String resolveEnv(Pod pod, Container container, KubernetesClient client, Map<String, String> env) {
    var namespace = pod.getMetadata().getNamespace();
    for (var source : container.getEnvFrom() == null ? List.<io.fabric8.kubernetes.api.model.EnvFromSource>of() : container.getEnvFrom()) {
      var prefix = source.getPrefix() == null ? "" : source.getPrefix();
      if (source.getConfigMapRef() != null) {
        var map = client.configMaps().inNamespace(namespace).withName(source.getConfigMapRef().getName()).get();
        if (map == null) {
          if (Boolean.TRUE.equals(source.getConfigMapRef().getOptional())) {
            continue;
          }
          return "configmap \"" + source.getConfigMapRef().getName() + "\" not found";
        }
        if (map.getData() != null) {
          map.getData().forEach((k, v) -> env.put(prefix + k, v));
        }
      } else if (source.getSecretRef() != null) {
        var secret = client.secrets().inNamespace(namespace).withName(source.getSecretRef().getName()).get();
        if (secret == null) {
          if (Boolean.TRUE.equals(source.getSecretRef().getOptional())) {
            continue;
          }
          return "secret \"" + source.getSecretRef().getName() + "\" not found";
        }
        secretData(secret).forEach((k, v) -> env.put(prefix + k, v));
      }
    }
    for (var variable : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
      if (variable.getValueFrom() == null) {
        env.put(variable.getName(), variable.getValue() == null ? "" : variable.getValue());
        continue;
      }
      var from = variable.getValueFrom();
      if (from.getFieldRef() != null) {
        var value = field(pod, from.getFieldRef().getFieldPath());
        if (value == null) {
          return "unsupported fieldRef " + from.getFieldRef().getFieldPath() + " in env " + variable.getName();
        }
        env.put(variable.getName(), value);
      } else if (from.getSecretKeyRef() != null) {
        var ref = from.getSecretKeyRef();
        var secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
        var data = secret == null ? null : secretData(secret);
        if (data == null || !data.containsKey(ref.getKey())) {
          if (Boolean.TRUE.equals(ref.getOptional())) {
            continue;
          }
          return secret == null ? "secret \"" + ref.getName() + "\" not found"
              : "couldn't find key " + ref.getKey() + " in Secret " + namespace + "/" + ref.getName();
        }
        env.put(variable.getName(), data.get(ref.getKey()));
      } else if (from.getConfigMapKeyRef() != null) {
        var ref = from.getConfigMapKeyRef();
        var map = client.configMaps().inNamespace(namespace).withName(ref.getName()).get();
        if (map == null || map.getData() == null || !map.getData().containsKey(ref.getKey())) {
          if (Boolean.TRUE.equals(ref.getOptional())) {
            continue;
          }
          return map == null ? "configmap \"" + ref.getName() + "\" not found"
              : "couldn't find key " + ref.getKey() + " in ConfigMap " + namespace + "/" + ref.getName();
        }
        env.put(variable.getName(), map.getData().get(ref.getKey()));
      } else if (from.getResourceFieldRef() != null) {
        var limits = container.getResources() == null ? null : container.getResources().getLimits();
        var quantity = limits == null ? null : limits.get(from.getResourceFieldRef().getResource().replace("limits.", ""));
        env.put(variable.getName(), quantity == null ? "0" : Quantity.getAmountInBytes(quantity).setScale(0, RoundingMode.UP).toPlainString());
      }
    }
    return null;
  }

  /** The downward API's fieldRef values. */
  private static String field(Pod pod, String path) {
    var meta = pod.getMetadata();
    return switch (path) {
      case "metadata.name" -> meta.getName();
      case "metadata.namespace" -> meta.getNamespace();
      case "metadata.uid" -> meta.getUid();
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
      case "status.podIP", "status.hostIP" -> "127.0.0.1";
      default -> {
        var matcher = java.util.regex.Pattern.compile("metadata\\.(labels|annotations)\\['(.+)']").matcher(path);
        if (!matcher.matches()) {
          yield null;
        }
        var values = matcher.group(1).equals("labels") ? meta.getLabels() : meta.getAnnotations();
        yield values == null ? "" : values.getOrDefault(matcher.group(2), "");
      }
    };
  }

  private static Map<String, String> secretData(io.fabric8.kubernetes.api.model.Secret secret) {
    var data = new LinkedHashMap<String, String>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      data.putAll(secret.getStringData());
    }
    return data;
  }

  private static List<Path> writeFiles(Path directory, Map<String, String> data, List<io.fabric8.kubernetes.api.model.KeyToPath> items)
      throws IOException {
    Files.createDirectories(directory);
    var written = new ArrayList<Path>();
    if (items != null && !items.isEmpty()) {
      for (var item : items) {
        if (data.containsKey(item.getKey())) {
          var file = directory.resolve(item.getPath());
          Files.createDirectories(file.getParent());
          Files.writeString(file, data.get(item.getKey()));
          written.add(file);
        }
      }
      return written;
    }
    for (var entry : data.entrySet()) {
      var file = directory.resolve(entry.getKey());
      Files.writeString(file, entry.getValue());
      written.add(file);
    }
    return written;
  }

  /** A JSON file of a config volume with its container paths made local; other files stay as they are. */
  private static void rewriteJson(Path file, MountTable table) throws IOException {
    JsonNode tree;
    try {
      tree = JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      return; // not JSON
    }
    if (tree != null && tree.isContainerNode()) {
      Files.writeString(file, JSON.writeValueAsString(table.rewrite(tree)));
    }
  }

  /** The CPU limit (else request) rounded up to whole cores, or null when there is none. */
  static Integer cpuLimit(Container container) {
    var resources = container.getResources();
    if (resources == null) {
      return null;
    }
    var cpu = resources.getLimits() != null && resources.getLimits().containsKey("cpu") ? resources.getLimits().get("cpu")
        : resources.getRequests() != null ? resources.getRequests().get("cpu") : null;
    if (cpu == null) {
      return null;
    }
    return Math.max(1, Quantity.getAmountInBytes(cpu).setScale(0, RoundingMode.UP).intValueExact());
  }

  /**
   * Cluster DNS names of pods and Services of the pod's namespace: {@code HOST.SUBDOMAIN[.NS[.svc[.cluster.local]]]}
   * and {@code SERVICE[.NS[.svc[.cluster.local]]]}, all 127.0.0.1 here.
   */
  static final class Names {
    private final String namespace;
    private final java.util.Set<String> services = new java.util.HashSet<>();

    Names(Pod pod, KubernetesClient client) {
      this.namespace = pod.getMetadata().getNamespace();
      client.services().inNamespace(namespace).list().getItems().forEach(s -> services.add(s.getMetadata().getName()));
      if (pod.getSpec().getSubdomain() != null) {
        services.add(pod.getSpec().getSubdomain());
      }
    }

    boolean isLocal(String name) {
      return host(name) != null;
    }

    /** The pod host key (host.subdomain, or the Service name) a DNS name stands for, or null for other names. */
    String host(String name) {
      if (name == null || name.isEmpty()) {
        return null;
      }
      var labels = name.replaceAll("\\.$", "").split("\\.");
      for (int serviceAt = 0; serviceAt <= 1 && serviceAt < labels.length; serviceAt++) {
        if (!services.contains(labels[serviceAt])) {
          continue;
        }
        var rest = java.util.Arrays.asList(labels).subList(serviceAt + 1, labels.length);
        var allowed = List.of(List.of(), List.of(namespace), List.of(namespace, "svc"), List.of(namespace, "svc", "cluster", "local"));
        if (allowed.contains(rest)) {
          return String.join(".", java.util.Arrays.asList(labels).subList(0, serviceAt + 1));
        }
      }
      return null;
    }

    String local(String value) {
      return isLocal(value) ? "127.0.0.1" : value;
    }
  }
}
