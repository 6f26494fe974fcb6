package dev.mm1.local.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The scheduler of a one-node cluster: binds each new pod to the local node when the node still
 * has the CPU and memory the pod requests (pods that are not terminal hold what they requested) and
 * its claims exist; otherwise the pod stays Pending with {@code PodScheduled=False,
 * reason=Unschedulable} and the scheduler's message, as on a full cluster.
 */
final class Scheduler {
  private final KubernetesClient client;
  private final NodeConfig node;
  private final Events events;

  Scheduler(KubernetesClient client, NodeConfig node, Events events) {
    this.client = client;
    this.node = node;
    this.events = events;
  }

  void sync(List<Pod> pods) {
    var bound = pods.stream().filter(p -> node.name().equals(p.getSpec().getNodeName()) && !JobSync.terminal(p)).toList();
    var cpu = bound.stream().map(p -> request(p, "cpu")).reduce(BigDecimal.ZERO, BigDecimal::add);
    var memory = bound.stream().map(p -> request(p, "memory")).reduce(BigDecimal.ZERO, BigDecimal::add);
    var pending = pods.stream()
        .filter(p -> (p.getSpec().getNodeName() == null || p.getSpec().getNodeName().isEmpty()) && p.getMetadata().getDeletionTimestamp() == null)
        .sorted(java.util.Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()))
        .toList();
    for (var pod : pending) {
      var why = unschedulable(pod, cpu, memory);
      if (why != null) {
        var previous = condition(pod);
        if (previous == null || !why.equals(previous)) {
          patchStatus(pod, "{\"status\":{\"phase\":\"Pending\",\"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"False\","
              + "\"reason\":\"Unschedulable\",\"message\":" + quote(why) + ",\"lastTransitionTime\":\"" + now() + "\"}]}}");
          events.warning(pod, "default-scheduler", "FailedScheduling", why);
        }
        continue;
      }
      cpu = cpu.add(request(pod, "cpu"));
      memory = memory.add(request(pod, "memory"));
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"nodeName\":" + quote(node.name()) + "}}");
      patchStatus(pod, "{\"status\":{\"phase\":\"Pending\",\"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"True\","
          + "\"lastTransitionTime\":\"" + now() + "\"}]}}");
      events.normal(pod, "default-scheduler", "Scheduled",
          "Successfully assigned " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + " to " + node.name());
    }
  }

  private String unschedulable(Pod pod, BigDecimal cpu, BigDecimal memory) {
    var namespace = pod.getMetadata().getNamespace();
    for (var volume : pod.getSpec().getVolumes() == null ? List.<io.fabric8.kubernetes.api.model.Volume>of() : pod.getSpec().getVolumes()) {
      if (volume.getPersistentVolumeClaim() != null) {
        var name = volume.getPersistentVolumeClaim().getClaimName();
        var claim = client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
        if (claim == null) {
          return "0/1 nodes are available: persistentvolumeclaim \"" + name + "\" not found. preemption: 0/1 nodes are available: "
              + "1 Preemption is not helpful for scheduling.";
        }
        if (claim.getStatus() == null || !"Bound".equals(claim.getStatus().getPhase())) {
          return "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.";
        }
      }
    }
    var insufficient = new java.util.ArrayList<String>();
    if (cpu.add(request(pod, "cpu")).compareTo(BigDecimal.valueOf(node.cpus())) > 0) {
      insufficient.add("1 Insufficient cpu");
    }
    if (memory.add(request(pod, "memory")).compareTo(BigDecimal.valueOf(node.memoryBytes())) > 0) {
      insufficient.add("1 Insufficient memory");
    }
    if (!insufficient.isEmpty()) {
      return "0/1 nodes are available: " + String.join(", ", insufficient) + ". (the local node offers " + node.cpus()
          + " CPUs and " + node.memoryBytes() / (1L << 20) + " MiB; ./mm1 up --node-cpus / --node-memory change that)";
    }
    return null;
  }

  private static String condition(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return null;
    }
    return pod.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()))
        .map(io.fabric8.kubernetes.api.model.PodCondition::getMessage).findFirst().orElse(null);
  }

  /** The pod's request of {@code resource}: the sum over its containers (limits where no request is given). */
  static BigDecimal request(Pod pod, String resource) {
    var total = BigDecimal.ZERO;
    for (var container : pod.getSpec().getContainers()) {
      var resources = container.getResources();
      if (resources == null) {
        continue;
      }
      Quantity quantity = resources.getRequests() != null ? resources.getRequests().get(resource) : null;
      if (quantity == null && resources.getLimits() != null) {
        quantity = resources.getLimits().get(resource);
      }
      if (quantity != null) {
        total = total.add(Quantity.getAmountInBytes(quantity));
      }
    }
    return total;
  }

  private void patchStatus(Pod pod, String patch) {
    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }

  static String quote(String text) {
    return com.fasterxml.jackson.databind.node.TextNode.valueOf(text).toString();
  }

  static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
