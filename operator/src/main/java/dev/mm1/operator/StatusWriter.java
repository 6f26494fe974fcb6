package dev.mm1.operator;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Writes a custom resource's status with optimistic locking. A 409 conflict (someone wrote the
 * resource since our copy was read) is retried against a fresh copy, never surfaced, unless the
 * fresh copy has a new spec or is being deleted: then the status, decided from what the resource
 * was, is not written at all ({@link Outcome#SUPERSEDED}).
 */
public final class StatusWriter {
  static final int ATTEMPTS = 5;

  /** What became of a status write. */
  public enum Outcome {
    /** The status is stored. */
    WRITTEN,
    /** The stored status already was this one; nothing written. */
    UNCHANGED,
    /** The resource was deleted meanwhile. */
    GONE,
    /**
     * The spec changed, or the deletion began, since the resource was read: this status was decided
     * for a resource that no longer exists as it was, so nothing is written and the change's own
     * event reconciles it. Written on the fresh copy through JOSDK, the status would also hide that
     * event: JOSDK caches what its write returned and drops every event of an older
     * resourceVersion as obsolete, the change's included (an edit to suspend: true went
     * unreconciled).
     */
    SUPERSEDED;

    /** Whether the stored status now is the one given (what may follow a write can happen). */
    public boolean stored() {
      return this == WRITTEN || this == UNCHANGED;
    }
  }

  private StatusWriter() {}

  /**
   * Replaces the status of {@code resource} with {@code status} through {@code updateStatus} (the
   * operator's is JOSDK's, which also refreshes its cache); does nothing when the status is unchanged.
   *
   * @return what became of the write
   */
  public static <S, T extends CustomResource<?, S>> Outcome write(
      KubernetesClient client, T resource, S status, UnaryOperator<T> updateStatus) {
    var serialization = client.getKubernetesSerialization();
    if (Objects.equals(serialization.asJson(resource.getStatus()), serialization.asJson(status))) {
      return Outcome.UNCHANGED;
    }
    T current = resource;
    for (int attempt = 1; ; attempt++) {
      var copy = serialization.clone(current);
      copy.setStatus(status);
      try {
        updateStatus.apply(copy);
        return Outcome.WRITTEN;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == ATTEMPTS) {
          throw e;
        }
        current = client.resource(resource).get();
        if (current == null) {
          return Outcome.GONE;
        }
        // The spec itself, not metadata.generation: the API server bumps that only for spec changes,
        // the mock API server of the tests for any change. A deletion that began meanwhile is the
        // same case: its event must reach the cleanup.
        if (!Objects.equals(serialization.asJson(current.getSpec()), serialization.asJson(resource.getSpec()))
            || !Objects.equals(current.getMetadata().getDeletionTimestamp(), resource.getMetadata().getDeletionTimestamp())) {
          return Outcome.SUPERSEDED;
        }
      }
    }
  }
}
