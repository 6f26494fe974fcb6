package dev.mm1.operator;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.net.HttpURLConnection;

/** Creating and deleting children so that a repeated or concurrent call is harmless. */
public final class Children {
  private Children() {}

  /**
   * Creates {@code child} through JOSDK (so the next reconcile's cache has it); when it already
   * exists (an earlier operator created it and the cache has not seen it yet) it is adopted.
   *
   * @return whether it was created now
   */
  public static <R extends HasMetadata> boolean create(Context<?> context, R child) {
    try {
      context.resourceOperations().create(child);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return false;
      }
      throw e;
    }
  }

  /** Creates {@code child} unless it exists; for children no informer watches (the checkpoint claim). */
  public static <R extends HasMetadata> void createIfAbsent(KubernetesClient client, R child) {
    try {
      client.resource(child).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
    }
  }

  /** Deletes {@code child} and, in the background, what it owns (a Job's pods); gone already is fine. */
  public static void delete(KubernetesClient client, HasMetadata child) {
    client.resource(child).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
  }
}
