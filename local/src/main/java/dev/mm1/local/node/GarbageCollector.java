package dev.mm1.local.node;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The garbage collector: deletes objects whose owners are gone (background deletion, the default),
 * and completes foreground deletions: an owner marked with the {@code foregroundDeletion}
 * finalizer has its dependents deleted, and loses the finalizer (and so is removed) only when none
 * that blocks owner deletion is left, terminating pods included.
 */
final class GarbageCollector {
  private static final Logger LOG = Logger.getLogger(GarbageCollector.class.getName());
  static final String FOREGROUND = "foregroundDeletion";

  /** The kinds that can be dependents: everything our controllers and the operator create. */
  static final List<String[]> DEPENDENT_KINDS = List.of(
      new String[] {"v1", "Pod"}, new String[] {"batch/v1", "Job"}, new String[] {"v1", "ConfigMap"},
      new String[] {"v1", "Service"}, new String[] {"v1", "Secret"}, new String[] {"v1", "PersistentVolumeClaim"},
      new String[] {"v1", "Endpoints"});

  private final KubernetesClient client;

  GarbageCollector(KubernetesClient client) {
    this.client = client;
  }

  void sync(List<String[]> ownerKinds) {
    var objects = new ArrayList<GenericKubernetesResource>();
    var kinds = new ArrayList<>(DEPENDENT_KINDS);
    kinds.addAll(ownerKinds);
    for (var kind : kinds) {
      try {
        objects.addAll(client.genericKubernetesResources(kind[0], kind[1]).inAnyNamespace().list().getItems());
      } catch (KubernetesClientException e) {
        LOG.log(Level.FINE, "listing " + kind[1], e);
      }
    }
    var byUid = new HashMap<String, GenericKubernetesResource>();
    objects.forEach(o -> byUid.put(o.getMetadata().getUid(), o));
    var dependents = new HashMap<String, List<GenericKubernetesResource>>();
    for (var object : objects) {
      var owners = object.getMetadata().getOwnerReferences();
      if (owners == null || owners.isEmpty()) {
        continue;
      }
      boolean anyOwnerLeft = false;
      for (var owner : owners) {
        if (exists(owner, object, byUid)) {
          anyOwnerLeft = true;
          dependents.computeIfAbsent(owner.getUid(), u -> new ArrayList<>()).add(object);
        }
      }
      if (!anyOwnerLeft && object.getMetadata().getDeletionTimestamp() == null) {
        delete(object);
      }
    }
    for (var object : objects) {
      var meta = object.getMetadata();
      if (meta.getDeletionTimestamp() == null || meta.getFinalizers() == null || !meta.getFinalizers().contains(FOREGROUND)) {
        continue;
      }
      var blocking = 0;
      for (var dependent : dependents.getOrDefault(meta.getUid(), List.of())) {
        if (dependent.getMetadata().getDeletionTimestamp() == null) {
          delete(dependent);
        }
        boolean blocks = dependent.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> meta.getUid().equals(o.getUid()) && Boolean.TRUE.equals(o.getBlockOwnerDeletion()));
        blocking += blocks ? 1 : 0;
      }
      if (blocking == 0) {
        var finalizers = new ArrayList<>(meta.getFinalizers());
        finalizers.remove(FOREGROUND);
        var patch = Map.of("metadata", Map.of("finalizers", finalizers, "resourceVersion", meta.getResourceVersion()));
        try {
          client.genericKubernetesResources(object.getApiVersion(), object.getKind()).inNamespace(meta.getNamespace())
              .withName(meta.getName()).patch(PatchContext.of(PatchType.JSON_MERGE), client.getKubernetesSerialization().asJson(patch));
        } catch (KubernetesClientException e) {
          LOG.log(Level.FINE, "finishing the foreground deletion of " + meta.getName(), e);
        }
      }
    }
  }

  /** Whether the owner a reference names still exists (same UID, not a new object of the same name). */
  private boolean exists(OwnerReference owner, GenericKubernetesResource dependent, Map<String, GenericKubernetesResource> known) {
    if (known.containsKey(owner.getUid())) {
      return true;
    }
    try {
      var found = client.genericKubernetesResources(owner.getApiVersion(), owner.getKind())
          .inNamespace(dependent.getMetadata().getNamespace()).withName(owner.getName()).get();
      return found != null && owner.getUid().equals(found.getMetadata().getUid());
    } catch (KubernetesClientException e) {
      return true; // cannot tell: keep the dependent
    }
  }

  private void delete(GenericKubernetesResource object) {
    try {
      client.genericKubernetesResources(object.getApiVersion(), object.getKind()).inNamespace(object.getMetadata().getNamespace())
          .withName(object.getMetadata().getName()).delete();
    } catch (KubernetesClientException e) {
      LOG.log(Level.FINE, "collecting " + object.getMetadata().getName(), e);
    }
  }
}
