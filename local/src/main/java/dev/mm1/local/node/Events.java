package dev.mm1.local.node;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.logging.Logger;

/** Records core/v1 Events about objects, as the kubelet and the Job controller do, for kubectl describe. */
final class Events {
  private static final Logger LOG = Logger.getLogger(Events.class.getName());

  private final KubernetesClient client;
  private final String node;

  Events(KubernetesClient client, String node) {
    this.client = client;
    this.node = node;
  }

  void normal(HasMetadata object, String component, String reason, String message) {
    record(object, component, "Normal", reason, message);
  }

  void warning(HasMetadata object, String component, String reason, String message) {
    record(object, component, "Warning", reason, message);
  }

  void record(HasMetadata object, String component, String type, String reason, String message) {
    var now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    var meta = object.getMetadata();
    var event = new EventBuilder()
        .withNewMetadata()
        .withName(meta.getName() + "." + Long.toHexString(System.nanoTime()))
        .withNamespace(meta.getNamespace() == null ? "default" : meta.getNamespace())
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion(object.getApiVersion()).withKind(object.getKind()).withName(meta.getName())
        .withNamespace(meta.getNamespace()).withUid(meta.getUid()).withResourceVersion(meta.getResourceVersion())
        .endInvolvedObject()
        .withType(type).withReason(reason).withMessage(message)
        .withNewSource().withComponent(component).withHost(node).endSource()
        .withReportingComponent(component).withReportingInstance(node)
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .build();
    try {
      client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.fine(() -> "event " + reason + " on " + meta.getName() + " not recorded: " + e.getMessage());
    }
  }
}
