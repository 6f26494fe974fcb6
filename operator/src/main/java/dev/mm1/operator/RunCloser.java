package dev.mm1.operator;

import dev.mm1.api.rest.RunState;
import dev.mm1.api.rest.StateTransition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Duration;
import java.time.Instant;

/**
 * The finalizer's work when an MM1Training or MM1Eval is deleted: its run in the control plane is
 * closed (Cancelled, unless it already ended) before the resource goes. The close is sent in the
 * background and retried; the finalizer waits for it at most {@link #TIMEOUT}, so a control plane
 * that is down for long cannot keep a resource from being deleted.
 */
public final class RunCloser {
  static final Duration TIMEOUT = Duration.ofMinutes(2);
  static final Duration POLL = Duration.ofSeconds(1);

  private RunCloser() {}

  public static DeleteControl close(HasMetadata resource, String statusRunId, ReconcilerServices services, Runnable wake,
      KubernetesClient client) {
    var sync = services.controlPlane();
    var uid = resource.getMetadata().getUid();
    if (!sync.configured()) {
      return DeleteControl.defaultDelete();
    }
    var view = sync.view(uid);
    var runId = view.runId().orElse(statusRunId);
    if (runId == null || view.closed()) {
      sync.forget(uid); // never registered (nothing to close), or closed
      return DeleteControl.defaultDelete();
    }
    sync.track(uid, runId, () -> null, wake);
    sync.report(uid, new StateTransition(RunState.Cancelled, "Deleted", resource.getKind() + " " + resource.getMetadata().getName() + " was deleted"));
    var deleted = resource.getMetadata().getDeletionTimestamp();
    var now = services.clock().instant();
    if (deleted != null && Instant.parse(deleted).plus(TIMEOUT).isBefore(now)) {
      var events = new EventRecorder();
      events.warning(Reasons.RUN_NOT_CLOSED, String.format(Reasons.MSG_RUN_NOT_CLOSED, runId, TIMEOUT,
          sync.view(uid).error().orElse("no answer")));
      events.send(client, resource, now);
      sync.forget(uid);
      return DeleteControl.defaultDelete();
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(POLL.toMillis());
  }
}
