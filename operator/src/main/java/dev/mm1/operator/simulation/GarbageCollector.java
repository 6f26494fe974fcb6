package dev.mm1.operator.simulation;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashSet;
import java.util.Set;

/**
 * The garbage collector: an object whose owners are all gone is deleted (background), and an
 * object deleted in the foreground (the {@code foregroundDeletion} finalizer) first has its
 * dependents deleted and loses the finalizer only when none of them is left.
 */
final class GarbageCollector {
  private final KubernetesClient client;

  GarbageCollector(KubernetesClient client) {
    this.client = client;
  }

  void sync(Snapshot snapshot) {
    Set<String> alive = new HashSet<>();
    snapshot.objects.forEach(o -> alive.add(o.getMetadata().getUid()));
    for (var object : snapshot.objects) {
      var owners = object.getMetadata().getOwnerReferences();
      if (owners != null && !owners.isEmpty() && owners.stream().noneMatch(o -> alive.contains(o.getUid()))
          && !Snapshot.marked(object) && snapshot.touch(object)) {
        JobController.ignoreGone(() -> client.resource(object).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete());
      }
    }
    for (var owner : snapshot.objects) {
      if (!Snapshot.marked(owner) || !Snapshot.hasFinalizer(owner, SimulatedApiServer.FOREGROUND_DELETION)) {
        continue;
      }
      var uid = owner.getMetadata().getUid();
      var dependents = snapshot.objects.stream().filter(o -> o.getMetadata().getOwnerReferences() != null
          && o.getMetadata().getOwnerReferences().stream().anyMatch(r -> uid.equals(r.getUid()))).toList();
      for (var dependent : dependents) {
        if (!Snapshot.marked(dependent) && snapshot.touch(dependent)) {
          JobController.ignoreGone(() -> client.resource(dependent).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete());
        }
      }
      if (dependents.isEmpty() && snapshot.touch(owner)) {
        removeForegroundFinalizer(owner);
      }
    }
  }

  private void removeForegroundFinalizer(HasMetadata owner) {
    var copy = client.getKubernetesSerialization().clone(owner);
    copy.getMetadata().setFinalizers(owner.getMetadata().getFinalizers().stream()
        .filter(f -> !f.equals(SimulatedApiServer.FOREGROUND_DELETION)).toList());
    JobController.ignoreGone(() -> client.resource(copy).update());
  }
}
