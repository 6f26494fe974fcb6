package dev.mm1.operator.simulation;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scheduler: binds each new pod to a node of its own (the gang's anti-affinity), or marks it
 * {@code PodScheduled=False, reason Unschedulable} when the test says no node fits. It also plays
 * the disruptions Kubernetes announces with the {@code DisruptionTarget} condition before it deletes
 * a pod (preemption by the scheduler, eviction, a drain): first the condition, then the deletion.
 */
final class Scheduler {
  private final KubernetesClient client;
  private final Workloads workloads;
  private final AtomicInteger nodes = new AtomicInteger();

  Scheduler(KubernetesClient client, Workloads workloads) {
    this.client = client;
    this.workloads = workloads;
  }

  void sync(Snapshot snapshot) {
    var time = snapshot.now.truncatedTo(ChronoUnit.SECONDS).toString();
    for (var pod : snapshot.pods) {
      if (Snapshot.marked(pod) || Snapshot.terminal(pod) || snapshot.touched(pod)) {
        continue;
      }
      var disruption = workloads.disruption(pod);
      if (disruption.isPresent() && pod.getSpec().getNodeName() != null) {
        snapshot.touch(pod);
        if (condition(pod, "DisruptionTarget") == null) {
          var updated = withCondition(pod, new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
              .withReason(disruption.get().reason()).withMessage(disruption.get().message()).withLastTransitionTime(time).build());
          JobController.ignoreGone(() -> client.resource(updated).updateStatus());
        } else {
          workloads.disrupted(pod);
          JobController.ignoreGone(() -> client.resource(pod).delete());
        }
        continue;
      }
      if (pod.getSpec().getNodeName() != null) {
        continue;
      }
      var unschedulable = workloads.unschedulable(pod);
      var scheduled = condition(pod, "PodScheduled");
      if (unschedulable.isPresent()) {
        if (scheduled == null || !unschedulable.get().equals(scheduled.getMessage())) {
          snapshot.touch(pod);
          var updated = withCondition(pod, new PodConditionBuilder().withType("PodScheduled").withStatus("False")
              .withReason("Unschedulable").withMessage(unschedulable.get()).withLastTransitionTime(time).build());
          JobController.ignoreGone(() -> client.resource(updated).updateStatus());
        }
        continue;
      }
      snapshot.touch(pod);
      var bound = withCondition(pod, new PodConditionBuilder().withType("PodScheduled").withStatus("True").withLastTransitionTime(time).build());
      bound.getSpec().setNodeName("node-" + nodes.incrementAndGet());
      JobController.ignoreGone(() -> client.resource(bound).update());
    }
  }

  static PodCondition condition(Pod pod, String type) {
    return pod.getStatus() == null || pod.getStatus().getConditions() == null ? null
        : pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  /** A copy of {@code pod} with condition {@code condition} set (replacing one of its type). */
  static Pod withCondition(Pod pod, PodCondition condition) {
    var copy = new io.fabric8.kubernetes.api.model.PodBuilder(pod).build();
    var conditions = new ArrayList<PodCondition>(copy.getStatus().getConditions() == null ? List.of() : copy.getStatus().getConditions());
    conditions.removeIf(c -> c.getType().equals(condition.getType()));
    conditions.add(condition);
    copy.getStatus().setConditions(conditions);
    return copy;
  }
}
