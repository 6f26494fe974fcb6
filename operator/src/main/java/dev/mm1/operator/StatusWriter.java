package dev.mm1.operator;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Writes a custom resource's status with optimistic locking. A 409 conflict (someone wrote the
 * resource since our copy was read) is retried against a fresh copy, never surfaced.
 */
public final class StatusWriter {
  static final int ATTEMPTS = 5;

  private StatusWriter() {}

  /**
   * Replaces the status of {@code resource} with {@code status} through {@code updateStatus} (the
   * operator's is JOSDK's, which also refreshes its cache); does nothing when the status is unchanged.
   *
   * @return whether the status was written
   */
  public static <S, T extends CustomResource<?, S>> boolean write(
      KubernetesClient client, T resource, S status, UnaryOperator<T> updateStatus) {
    var serialization = client.getKubernetesSerialization();
    if (Objects.equals(serialization.asJson(resource.getStatus()), serialization.asJson(status))) {
      return false;
    }
    T current = resource;
    for (int attempt = 1; ; attempt++) {
      var copy = serialization.clone(current);
      copy.setStatus(status);
      try {
        updateStatus.apply(copy);
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == ATTEMPTS) {
          throw e;
        }
        current = client.resource(resource).get();
        if (current == null) {
          return false; // deleted meanwhile
        }
      }
    }
  }
}
