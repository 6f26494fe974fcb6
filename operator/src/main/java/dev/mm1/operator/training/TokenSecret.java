package dev.mm1.operator.training;

import dev.mm1.operator.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Whether the Secret with the control-plane token the workers report with exists in a namespace,
 * with its key. Checked before a gang starts: pods without it would only collect 401s.
 * RBAC allows {@code get} on that one Secret name only.
 */
final class TokenSecret {
  private TokenSecret() {}

  static boolean present(KubernetesClient client, String namespace, OperatorSettings settings) {
    try {
      var secret = client.secrets().inNamespace(namespace).withName(settings.tokenSecretName()).get();
      return secret != null && ((secret.getData() != null && secret.getData().containsKey(settings.tokenSecretKey()))
          || (secret.getStringData() != null && secret.getStringData().containsKey(settings.tokenSecretKey())));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 403) {
        return true; // not allowed to look (a narrowed Role): let the kubelet report a missing Secret instead
      }
      throw e;
    }
  }
}
