package dev.mm1.operator;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.net.HttpURLConnection;
import java.util.Objects;

/** Creating and deleting children so that a repeated or concurrent call is harmless. */
public final class Children {
  private Children() {}

  /** A child's name is taken by an object that is not this resource's: never adopted, never overwritten. */
  public static final class NameTakenException extends Exception {
    public NameTakenException(HasMetadata child, HasMetadata parent) {
      super(String.format(Reasons.MSG_CHILD_NAME_TAKEN, child.getKind(), child.getMetadata().getName(), parent.getKind()));
    }
  }

  /**
   * Creates {@code child} through JOSDK (so the next reconcile's cache has it). When the name is
   * taken (409), the existing object is adopted only if it is this parent's (its parent-UID label
   * and controller owner reference name the parent: an earlier operator made it and the cache has
   * not seen it yet); anything else is refused.
   *
   * @return whether it was created now
   */
  public static <R extends HasMetadata> boolean create(Context<?> context, R child, HasMetadata parent) throws NameTakenException {
    try {
      context.resourceOperations().create(child);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      adoptOrRefuse(context.getClient(), child, parent, true);
      return false;
    }
  }

  /**
   * Creates {@code child} unless it exists; for children no informer watches (the checkpoint claim,
   * which has no owner: it outlives the training). An existing claim is used when it carries the
   * same parent name (a re-created training of that name; its checkpoints sit in a directory of
   * the old UID, so nothing is resumed from them).
   */
  public static <R extends HasMetadata> void createIfAbsent(KubernetesClient client, R child, HasMetadata parent) throws NameTakenException {
    try {
      client.resource(child).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      adoptOrRefuse(client, child, parent, false);
    }
  }

  private static void adoptOrRefuse(KubernetesClient client, HasMetadata child, HasMetadata parent, boolean owned) throws NameTakenException {
    var existing = client.resource(child).get();
    if (existing == null) {
      return; // deleted meanwhile: the next reconcile creates it again
    }
    var labels = existing.getMetadata().getLabels();
    boolean ours;
    if (owned) {
      var uid = parent.getMetadata().getUid();
      ours = Labels.isChildOf(existing, uid) && existing.getMetadata().getOwnerReferences() != null
          && existing.getMetadata().getOwnerReferences().stream()
              .anyMatch(o -> uid.equals(o.getUid()) && Boolean.TRUE.equals(o.getController()));
    } else {
      ours = labels != null && Objects.equals(labels.get(Labels.PARENT_NAME), parent.getMetadata().getName())
          && Objects.equals(labels.get(Labels.PARENT_KIND), parent.getKind());
    }
    if (!ours) {
      throw new NameTakenException(child, parent);
    }
  }

  /**
   * Deletes {@code child} in the foreground: the API server keeps it (with a deletion timestamp)
   * until the garbage collector has deleted what it owns, a Job's pods included; gone already is fine.
   */
  public static void delete(KubernetesClient client, HasMetadata child) {
    if (child.getMetadata().getDeletionTimestamp() != null) {
      return; // already being deleted
    }
    client.resource(child).withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
  }
}
