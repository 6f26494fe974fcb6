package dev.mm1.operator;

import dev.mm1.api.config.Canonical;
import dev.mm1.api.rest.CreateRunRequest;
import dev.mm1.api.rest.Run;
import dev.mm1.api.rest.RunKind;
import dev.mm1.api.rest.RunState;
import dev.mm1.api.rest.StateTransition;
import dev.mm1.api.v1alpha1.CommittedCheckpoint;
import dev.mm1.operator.controlplane.ControlPlaneSync;
import dev.mm1.operator.validation.InvalidSpecException;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What one reconcile of either custom resource shares: the status being built, the events waiting
 * for it to be written, and the steps that read the same for trainings and evals (invalid spec,
 * the control plane's cached view, terminal conditions, the single status write).
 *
 * @param <R> the custom resource
 * @param <S> its status
 */
public abstract class ResourceReconcile<R extends CustomResource<?, S>, S> {
  protected final R resource;
  protected final Context<R> context;
  protected final KubernetesClient client;
  protected final OperatorSettings settings;
  protected final ControlPlaneSync controlPlane;
  protected final Instant now;
  protected final long generation;
  protected final S status;
  protected final EventRecorder events = new EventRecorder();
  /** Reconciles this resource again (when the control plane answered). */
  private final Runnable wake;
  protected Duration reschedule;

  /** When a status decided from an outdated resource was dropped, how soon to look again at the latest one. */
  private static final Duration SUPERSEDED_RETRY = Duration.ofSeconds(1);

  protected ResourceReconcile(R resource, Context<R> context, ReconcilerServices services, S freshStatus, Runnable wake) {
    this.resource = resource;
    this.context = context;
    this.client = context.getClient();
    this.settings = services.settings();
    this.controlPlane = services.controlPlane();
    this.now = services.clock().instant();
    this.generation = Optional.ofNullable(resource.getMetadata().getGeneration()).orElse(1L);
    this.status = resource.getStatus() == null ? freshStatus : client.getKubernetesSerialization().clone(resource.getStatus());
    this.wake = wake;
  }

  /** The status' condition list (never null). */
  protected abstract List<Condition> conditions();

  /** {@code Ready=False, reason=InvalidSpec} naming the field; a Warning event unless it already said so. */
  protected void markInvalid(InvalidSpecException e) {
    var message = String.format(Reasons.MSG_INVALID_SPEC, e.field(), e.problem());
    if (!message.equals(Conditions.find(conditions(), Reasons.READY).map(Condition::getMessage).orElse(null))) {
      events.warning(Reasons.INVALID_SPEC, message);
    }
    Conditions.set(conditions(), Reasons.READY, false, Reasons.INVALID_SPEC, message, generation, now);
  }

  /** Whether the Ready condition says the spec is invalid (a fixed spec starts over). */
  protected boolean invalid() {
    return Conditions.hasReason(conditions(), Reasons.READY, Reasons.INVALID_SPEC);
  }

  /** Ready=False with {@code reason}, and a Warning event when the reason or message is new. */
  protected void notReady(String reason, String message) {
    var ready = Conditions.find(conditions(), Reasons.READY);
    if (ready.isEmpty() || !reason.equals(ready.get().getReason()) || !message.equals(ready.get().getMessage())) {
      events.warning(reason, message);
    }
    Conditions.set(conditions(), Reasons.READY, false, reason, message, generation, now);
  }

  /** Terminal success, as Job and JobSet say it: Complete=True. */
  protected void complete(String reason, String message) {
    Conditions.set(conditions(), Reasons.READY, true, reason, message, generation, now);
    Conditions.set(conditions(), Reasons.COMPLETE, true, reason, message, generation, now);
    events.normal(reason, message);
  }

  /** Terminal failure, as Job and JobSet say it: Failed=True with the reason. */
  protected void failed(String reason, String message) {
    Conditions.set(conditions(), Reasons.READY, false, reason, message, generation, now);
    Conditions.set(conditions(), Reasons.FAILED, true, reason, message, generation, now);
    events.warning(reason, message);
  }

  /**
   * The control plane's view of this resource's run, from the cache: asks (in the background) for
   * registration when there is no run yet, and for fresh progress every progress interval;
   * ControlPlaneReachable says how the last call went. Never waits for the control plane.
   */
  protected Optional<Run> syncRun(String knownRunId, RunKind kind, Supplier<String> parentRunId) {
    if (!controlPlane.configured()) {
      Conditions.unknown(conditions(), Reasons.CONTROL_PLANE_REACHABLE, Reasons.NOT_CONFIGURED, Reasons.MSG_NOT_CONFIGURED, generation, now);
      return Optional.empty();
    }
    var meta = resource.getMetadata();
    controlPlane.track(meta.getUid(), knownRunId, () -> new CreateRunRequest(meta.getName(), meta.getNamespace(), kind, meta.getUid(),
        parentRunId.get(), Canonical.tree(resource.getSpec())), wake);
    var view = controlPlane.view(meta.getUid());
    if (view.error().isPresent()) {
      Conditions.set(conditions(), Reasons.CONTROL_PLANE_REACHABLE, false, Reasons.UNREACHABLE,
          String.format(Reasons.MSG_UNREACHABLE, controlPlane.url(), view.error().get()), generation, now);
    } else if (view.runId().isPresent()) {
      if (!Conditions.isTrue(conditions(), Reasons.CONTROL_PLANE_REACHABLE)) {
        events.normal(Reasons.REGISTERED, String.format(Reasons.MSG_REGISTERED, view.runId().get(), controlPlane.url()));
      }
      Conditions.set(conditions(), Reasons.CONTROL_PLANE_REACHABLE, true, Reasons.REGISTERED,
          String.format(Reasons.MSG_REGISTERED, view.runId().get(), controlPlane.url()), generation, now);
    }
    if (reschedule == null) {
      reschedule = settings.progressInterval(); // progress is polled in the background; look at it again then
    }
    return view.runId().isPresent() ? view.run() : Optional.empty();
  }

  /** The run id the control plane gave, once known. */
  protected Optional<String> knownRunId() {
    return controlPlane.view(resource.getMetadata().getUid()).runId();
  }

  /**
   * MM1_RUN_ID of the pods: the run's id once registered, else the resource's UID, which the control
   * plane resolves to the same run once it is registered (runs are looked up by id or externalId),
   * so a Job created while the control plane is down reports to the right run when it is back.
   */
  protected String runIdForPods(String runId) {
    return runId != null ? runId : resource.getMetadata().getUid();
  }

  /**
   * Queues the phase change for the control plane, with the Ready condition's reason and message;
   * it is sent in the background, in order, and retried until recorded.
   */
  protected void reportTransition(RunState state) {
    if (!controlPlane.configured()) {
      return;
    }
    var ready = Conditions.find(conditions(), Reasons.READY);
    controlPlane.report(resource.getMetadata().getUid(), new StateTransition(state,
        ready.map(Condition::getReason).orElse(state.name()), ready.map(Condition::getMessage).orElse("")));
  }

  protected void checkpointResolved(CommittedCheckpoint checkpoint) {
    Conditions.set(conditions(), Reasons.CHECKPOINT_RESOLVED, true, Reasons.CHECKPOINT_FOUND,
        String.format(Reasons.MSG_CHECKPOINT_FOUND, checkpoint.step, checkpoint.uri), generation, now);
  }

  /** No checkpoint yet: both conditions say why, and the resource is looked at again later. */
  protected void waitForCheckpoint(CheckpointResolver.Resolution.Waiting waiting) {
    Conditions.set(conditions(), Reasons.CHECKPOINT_RESOLVED, false, waiting.reason(), waiting.message(), generation, now);
    Conditions.set(conditions(), Reasons.READY, false, waiting.reason(), waiting.message(), generation, now);
    reschedule = settings.progressInterval();
  }

  /** The one status write, then the events (only a written status is told about), then when to look again. */
  protected UpdateControl<R> writeStatus() {
    Conditions.set(conditions(), Reasons.RECONCILED, true, Reasons.RECONCILED, Reasons.MSG_RECONCILED, generation, now);
    var outcome = StatusWriter.write(client, resource, status, r -> context.resourceOperations().updatePrimaryStatus(r));
    if (outcome == StatusWriter.Outcome.SUPERSEDED) {
      // Decided from a spec the user has since changed, or before a deletion began: nothing of it
      // happens. The change's own event reconciles it; the short reschedule covers an informer
      // that has not seen the change yet.
      return UpdateControl.<R>noUpdate().rescheduleAfter(SUPERSEDED_RETRY);
    }
    if (outcome.stored()) {
      afterStatusWritten();
    }
    events.send(client, resource, now);
    var control = UpdateControl.<R>noUpdate();
    if (reschedule != null) {
      control.rescheduleAfter(reschedule);
    }
    return control;
  }

  /**
   * Actions that must not happen unless the status recording them was written (a write that
   * throws leaves them undone, and the next reconcile decides again from the same facts).
   */
  protected void afterStatusWritten() {}

  /**
   * ttlSecondsAfterFinished: deletes {@code children} once it has passed since {@code completionTime}
   * (a Job's pods go with it), or looks again when it will have.
   */
  protected void expireAfterTtl(Integer ttlSeconds, String completionTime, List<? extends HasMetadata> children) {
    switch (TtlPolicy.decide(ttlSeconds, Optional.ofNullable(completionTime), now)) {
      case TtlPolicy.Decision.Keep keep -> { }
      case TtlPolicy.Decision.Wait wait -> reschedule = wait.remaining().plusSeconds(1);
      case TtlPolicy.Decision.Expire expire -> {
        var alive = children.stream().filter(c -> c.getMetadata().getDeletionTimestamp() == null).toList();
        if (!alive.isEmpty()) {
          alive.forEach(child -> Children.delete(client, child));
          events.normal(Reasons.TTL_EXPIRED, String.format(Reasons.MSG_TTL_EXPIRED, ttlSeconds));
        }
      }
    }
  }

  protected String timestamp() {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
