package dev.mm1.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Kubernetes Events about a custom resource ({@code kubectl describe} shows them). Collected during a
 * reconcile and sent only after the status write succeeded, so an event never tells of a state the
 * status does not show.
 */
public final class EventRecorder {
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  static final String COMPONENT = "mm1-operator";

  /** An event waiting to be sent. */
  public record Pending(String type, String reason, String message) {}

  private final List<Pending> pending = new ArrayList<>();

  public void normal(String reason, String message) {
    pending.add(new Pending("Normal", reason, message));
  }

  public void warning(String reason, String message) {
    pending.add(new Pending("Warning", reason, message));
  }

  public List<Pending> pending() {
    return List.copyOf(pending);
  }

  /** Sends the collected events; a failure to send is logged, never fails the reconcile. */
  public void send(KubernetesClient client, HasMetadata about, Instant now) {
    var meta = about.getMetadata();
    var time = now.truncatedTo(ChronoUnit.SECONDS).toString();
    for (var event : pending) {
      try {
        client.v1().events().inNamespace(meta.getNamespace()).resource(new EventBuilder()
            .withNewMetadata()
            .withName(meta.getName() + "." + UUID.randomUUID().toString().substring(0, 13).replace("-", ""))
            .withNamespace(meta.getNamespace())
            .endMetadata()
            .withInvolvedObject(new ObjectReferenceBuilder()
                .withApiVersion(about.getApiVersion()).withKind(about.getKind())
                .withName(meta.getName()).withNamespace(meta.getNamespace()).withUid(meta.getUid())
                .withResourceVersion(meta.getResourceVersion())
                .build())
            .withType(event.type())
            .withReason(event.reason())
            .withMessage(event.message())
            .withFirstTimestamp(time)
            .withLastTimestamp(time)
            .withCount(1)
            .withNewSource().withComponent(COMPONENT).endSource()
            .withReportingComponent(COMPONENT)
            .build()).create();
      } catch (KubernetesClientException e) {
        LOG.warnf("cannot record event %s on %s/%s: %s", event.reason(), meta.getNamespace(), meta.getName(), e.getMessage());
      }
    }
    pending.clear();
  }
}
