package dev.mm1.operator;

import dev.mm1.api.config.Canonical;
import dev.mm1.api.rest.CreateRunRequest;
import dev.mm1.api.rest.RunKind;
import dev.mm1.api.rest.RunState;
import dev.mm1.api.v1alpha1.CommittedCheckpoint;
import dev.mm1.api.rest.StateTransition;
import dev.mm1.operator.controlplane.ControlPlaneClient;
import dev.mm1.operator.controlplane.ControlPlaneException;
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
 * control plane unreachable, the single status write).
 *
 * @param <R> the custom resource
 * @param <S> its status
 */
public abstract class ResourceReconcile<R extends CustomResource<?, S>, S> {
  protected final R resource;
  protected final Context<R> context;
  protected final KubernetesClient client;
  protected final OperatorSettings settings;
  protected final ControlPlaneClient controlPlane;
  protected final Instant now;
  protected final long generation;
  protected final S status;
  protected final EventRecorder events = new EventRecorder();
  protected Duration reschedule;

  protected ResourceReconcile(R resource, Context<R> context, ReconcilerServices services, S freshStatus) {
    this.resource = resource;
    this.context = context;
    this.client = context.getClient();
    this.settings = services.settings();
    this.controlPlane = services.controlPlane();
    this.now = services.clock().instant();
    this.generation = Optional.ofNullable(resource.getMetadata().getGeneration()).orElse(1L);
    this.status = resource.getStatus() == null ? freshStatus : client.getKubernetesSerialization().clone(resource.getStatus());
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

  /**
   * Registers the run unless {@code runId} is already known; idempotent on the resource's UID, so
   * a lost status write does not make a second run.
   */
  protected String registerRun(String runId, RunKind kind, Supplier<String> parentRunId) throws ControlPlaneException {
    if (runId != null) {
      return runId;
    }
    var meta = resource.getMetadata();
    var run = controlPlane.register(new CreateRunRequest(meta.getName(), meta.getNamespace(), kind, meta.getUid(),
        parentRunId.get(), Canonical.tree(resource.getSpec())));
    events.normal(Reasons.REGISTERED, String.format(Reasons.MSG_REGISTERED, run.id(), controlPlane.url()));
    return run.id();
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

  protected void controlPlaneNotConfigured() {
    Conditions.unknown(conditions(), Reasons.CONTROL_PLANE_REACHABLE, Reasons.NOT_CONFIGURED, Reasons.MSG_NOT_CONFIGURED, generation, now);
  }

  protected void controlPlaneReachable(String runId) {
    Conditions.set(conditions(), Reasons.CONTROL_PLANE_REACHABLE, true, Reasons.REGISTERED,
        String.format(Reasons.MSG_REGISTERED, runId, controlPlane.url()), generation, now);
  }

  protected void controlPlaneUnreachable(ControlPlaneException e) {
    Conditions.set(conditions(), Reasons.CONTROL_PLANE_REACHABLE, false, Reasons.UNREACHABLE,
        String.format(Reasons.MSG_UNREACHABLE, controlPlane.url(), e.getMessage()), generation, now);
    if (reschedule == null) {
      reschedule = settings.progressInterval();
    }
  }

  /** Tells the control plane about a phase change, with the Ready condition's reason and message. */
  protected void reportTransition(String runId, RunState state) {
    if (runId == null || !controlPlane.configured()) {
      return;
    }
    var ready = Conditions.find(conditions(), Reasons.READY);
    try {
      controlPlane.transition(runId, new StateTransition(state,
          ready.map(Condition::getReason).orElse(state.name()), ready.map(Condition::getMessage).orElse("")));
    } catch (ControlPlaneException e) {
      controlPlaneUnreachable(e);
    }
  }

  /** The one status write, then the events (only a written status is told about), then when to look again. */
  protected UpdateControl<R> writeStatus() {
    StatusWriter.write(client, resource, status, r -> context.resourceOperations().updatePrimaryStatus(r));
    afterStatusWritten();
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
        if (!children.isEmpty()) {
          children.forEach(child -> Children.delete(client, child));
          events.normal(Reasons.TTL_EXPIRED, String.format(Reasons.MSG_TTL_EXPIRED, ttlSeconds));
        }
      }
    }
  }

  protected String timestamp() {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
