package dev.mm1.operator.training;

import dev.mm1.api.config.TrainerConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.api.rest.RunKind;
import dev.mm1.api.rest.RunState;
import dev.mm1.api.v1alpha1.CommittedCheckpoint;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.MM1TrainingSpec;
import dev.mm1.api.v1alpha1.MM1TrainingStatus;
import dev.mm1.api.v1alpha1.TrainingPhase;
import dev.mm1.api.config.Canonical;
import dev.mm1.operator.CheckpointResolver;
import dev.mm1.operator.Children;
import dev.mm1.operator.Conditions;
import dev.mm1.operator.ReconcilerServices;
import dev.mm1.operator.ResourceReconcile;
import dev.mm1.operator.Labels;
import dev.mm1.operator.Reasons;
import dev.mm1.operator.controlplane.ControlPlaneException;
import dev.mm1.operator.validation.InvalidSpecException;
import dev.mm1.operator.validation.SpecValidator;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One reconcile of one MM1Training: what was observed, the status being built, and the events to
 * send once it is written. Each public method is one step of
 * {@link MM1TrainingReconciler#reconcile}.
 */
final class TrainingReconcile extends ResourceReconcile<MM1Training, MM1TrainingStatus> {
  static final Duration RESTART_POLL = Duration.ofSeconds(1);

  private final MM1Training training;
  private final TrainingPhase previousPhase;

  private Optional<ConfigMap> configMap = Optional.empty();
  private Optional<Service> service = Optional.empty();
  private List<Job> jobs = List.of();
  private List<Pod> pods = List.of();
  private MM1Training effective;
  private CommittedCheckpoint init;
  private String configHash;
  /** The failed attempt's Job, deleted after the status that records the restart is written. */
  private Optional<Job> brokenGang = Optional.empty();

  TrainingReconcile(MM1Training training, Context<MM1Training> context, ReconcilerServices services) {
    super(training, context, services, new MM1TrainingStatus());
    this.training = training;
    if (status.conditions == null) {
      status.conditions = new ArrayList<>();
    }
    this.previousPhase = status.phase;
    this.effective = training;
  }

  @Override
  protected List<Condition> conditions() {
    return status.conditions;
  }

  /** Reads the children from the informer caches. */
  void observe() {
    var uid = training.getMetadata().getUid();
    configMap = context.getSecondaryResources(ConfigMap.class).stream().filter(c -> Labels.isChildOf(c, uid)).findFirst();
    service = context.getSecondaryResources(Service.class).stream().filter(s -> Labels.isChildOf(s, uid)).findFirst();
    jobs = context.getSecondaryResources(Job.class).stream().filter(j -> Labels.isChildOf(j, uid))
        .sorted(Comparator.comparingInt(TrainingReconcile::attemptOf)).toList();
    pods = context.getSecondaryResources(Pod.class).stream().filter(p -> Labels.isChildOf(p, uid)).toList();
  }

  /**
   * Checks the spec. A new training with a bad spec fails with InvalidSpec and gets no children; a
   * running one keeps its accepted spec and says why the new one was not taken.
   */
  boolean validate(SpecValidator validator) {
    try {
      validator.check(training, client);
      return true;
    } catch (InvalidSpecException e) {
      if (configMap.isPresent()) {
        rejectSpec(Reasons.INVALID_SPEC, String.format(Reasons.MSG_INVALID_SPEC, e.field(), e.problem()));
        effective = withSpec(acceptedSpec(configMap.get()));
        return true;
      }
      status.phase = TrainingPhase.Failed;
      markInvalid(e);
      return false;
    }
  }

  /** Whether the training has succeeded or failed (a spec fixed after InvalidSpec starts over). */
  boolean finished() {
    return !invalid() && (status.phase == TrainingPhase.Succeeded || status.phase == TrainingPhase.Failed);
  }

  /** ttlSecondsAfterFinished: deletes Job, pods, Service and ConfigMap; never the checkpoints. */
  void expireChildrenAfterTtl() {
    var children = new ArrayList<HasMetadata>(jobs);
    service.ifPresent(children::add);
    configMap.ifPresent(children::add);
    expireAfterTtl(training.getSpec().ttlSecondsAfterFinished, status.completionTime, children);
  }

  /** SFT: the checkpoint to start from, fixed once the ConfigMap records it. */
  boolean resolveInitCheckpoint() {
    var reference = effective.getSpec().init;
    if (reference == null) {
      return true;
    }
    var recorded = configMap.map(TrainingReconcile::recordedInit);
    if (recorded.isPresent()) {
      init = recorded.get();
      return true;
    }
    switch (CheckpointResolver.resolve(reference, training.getMetadata().getNamespace(), client)) {
      case CheckpointResolver.Resolution.Found found -> {
        init = found.checkpoint();
        checkpointResolved(init);
        return true;
      }
      case CheckpointResolver.Resolution.Waiting waiting -> {
        waitForCheckpoint(waiting);
        status.phase = TrainingPhase.Pending;
        return false;
      }
    }
  }

  /** Registers the run (idempotent on the CR's UID) and mirrors its progress into status. */
  void syncControlPlane() {
    if (!controlPlane.configured()) {
      controlPlaneNotConfigured();
      return;
    }
    try {
      status.runId = registerRun(status.runId, RunKind.Training, this::parentRunId);
      var run = controlPlane.run(status.runId);
      status.step = run.step();
      status.loss = run.loss();
      if (run.latestCheckpoint() != null) {
        var checkpoint = new CommittedCheckpoint();
        checkpoint.step = run.latestCheckpoint().step();
        checkpoint.uri = run.latestCheckpoint().uri();
        checkpoint.sha256 = run.latestCheckpoint().sha256();
        status.latestCheckpoint = checkpoint;
      }
      controlPlaneReachable(status.runId);
    } catch (ControlPlaneException e) {
      controlPlaneUnreachable(e);
    }
  }

  /**
   * Compares the spec with the one accepted when the children were first made; a change of a field
   * that cannot change is refused with a condition and the accepted spec keeps running.
   */
  void rejectImmutableChanges() {
    if (configMap.isEmpty() || effective != training) {
      if (configMap.isEmpty()) {
        Conditions.set(status.conditions, Reasons.SPEC_ACCEPTED, true, Reasons.ACCEPTED, "spec accepted", generation, now);
      }
      return;
    }
    var accepted = acceptedSpec(configMap.get());
    var changed = TrainerConfig.changedFields(
        TrainerConfig.acceptedSpec(accepted), TrainerConfig.acceptedSpec(training.getSpec()));
    if (changed.isEmpty()) {
      Conditions.set(status.conditions, Reasons.SPEC_ACCEPTED, true, Reasons.ACCEPTED, "spec accepted", generation, now);
      return;
    }
    rejectSpec(Reasons.IMMUTABLE_FIELD_CHANGED, String.format(Reasons.MSG_IMMUTABLE, String.join(", ", changed)));
    var spec = accepted;
    spec.suspend = training.getSpec().suspend;
    spec.ttlSecondsAfterFinished = training.getSpec().ttlSecondsAfterFinished;
    spec.failurePolicy.maxRestarts = training.getSpec().failurePolicy.maxRestarts;
    effective = withSpec(spec);
  }

  /** Creates the ConfigMap and Service when missing (also after someone deleted them), updates a stale ConfigMap. */
  void applyConfigAndService() {
    var name = training.getMetadata().getName();
    var spec = effective.getSpec();
    var checkpoints = CheckpointVolume.of(name, spec.checkpoints, false);
    var config = TrainerConfig.render(effective, checkpoints.directory(), init);
    configHash = config.hash();
    var desiredConfig = TrainingResources.configMap(effective, config, TrainerConfig.acceptedSpec(spec));
    if (configMap.isEmpty()) {
      if (Children.create(context, desiredConfig) && status.startTime != null) {
        events.normal(Reasons.CHILD_RECREATED, String.format(Reasons.MSG_CHILD_RECREATED, "ConfigMap", desiredConfig.getMetadata().getName()));
      }
    } else if (!Objects.equals(configMap.get().getData(), desiredConfig.getData())) {
      var updated = client.getKubernetesSerialization().clone(configMap.get());
      updated.setData(desiredConfig.getData());
      updated.getMetadata().setAnnotations(desiredConfig.getMetadata().getAnnotations());
      context.resourceOperations().update(updated);
    }
    if (service.isEmpty()) {
      var desiredService = TrainingResources.headlessService(effective, settings.masterPort());
      if (Children.create(context, desiredService) && status.startTime != null) {
        events.normal(Reasons.CHILD_RECREATED, String.format(Reasons.MSG_CHILD_RECREATED, "Service", desiredService.getMetadata().getName()));
      }
    }
  }

  /** The gang: suspend or resume, create the attempt's Job, judge it, restart or finish. */
  void driveGang() {
    var spec = effective.getSpec();
    int nodes = spec.resources.nodes;
    int attempt = Math.max(status.attempt == null ? 1 : status.attempt, jobs.stream().mapToInt(TrainingReconcile::attemptOf).max().orElse(1));
    status.attempt = attempt;
    status.restarts = status.restarts == null ? 0 : status.restarts;
    status.totalWorkers = nodes;
    var current = jobs.stream().filter(j -> attemptOf(j) == status.attempt).findFirst();
    // Never two gangs alive: an older attempt's Job goes before the next one starts.
    var older = jobs.stream().filter(j -> attemptOf(j) < status.attempt).toList();
    older.forEach(job -> Children.delete(client, job));

    if (Boolean.TRUE.equals(spec.suspend)) {
      current.ifPresent(job -> Children.delete(client, job));
      if (previousPhase != TrainingPhase.Suspended) {
        events.normal(Reasons.SUSPENDED, Reasons.MSG_SUSPENDED);
      }
      status.phase = TrainingPhase.Suspended;
      status.readyWorkers = 0;
      Conditions.set(status.conditions, Reasons.READY, false, Reasons.SUSPENDED, Reasons.MSG_SUSPENDED, generation, now);
      return;
    }
    if (previousPhase == TrainingPhase.Suspended && current.isEmpty()) {
      status.attempt = attempt + 1;
      events.normal(Reasons.RESUMED, String.format(Reasons.MSG_RESUMED, status.attempt));
    }
    if (current.isEmpty()) {
      startAttempt(older.isEmpty());
      return;
    }
    judge(current.get(), nodes);
  }

  private void startAttempt(boolean previousGangGone) {
    int nodes = effective.getSpec().resources.nodes;
    status.readyWorkers = 0;
    if (!previousGangGone) {
      status.phase = TrainingPhase.Restarting;
      reschedule = RESTART_POLL;
      return;
    }
    TrainingResources.checkpointClaim(effective).ifPresent(claim -> Children.createIfAbsent(client, claim));
    var job = TrainingResources.job(effective, status.attempt, runId(), configHash, settings);
    boolean created = Children.create(context, job);
    if (created && status.startTime != null && previousPhase != TrainingPhase.Restarting && previousPhase != TrainingPhase.Suspended) {
      events.normal(Reasons.CHILD_RECREATED, String.format(Reasons.MSG_CHILD_RECREATED, "Job", job.getMetadata().getName()));
    }
    if (status.startTime == null) {
      status.startTime = timestamp();
    }
    var queue = effective.getSpec().resources.queueName;
    if (queue != null) {
      status.phase = TrainingPhase.Queued;
      Conditions.set(status.conditions, Reasons.READY, false, Reasons.QUEUED,
          String.format(Reasons.MSG_QUEUED, job.getMetadata().getName(), queue), generation, now);
    } else {
      status.phase = TrainingPhase.Pending;
      Conditions.set(status.conditions, Reasons.READY, false, Reasons.WORKERS_STARTING,
          String.format(Reasons.MSG_STARTING, 0, nodes, status.attempt), generation, now);
    }
  }

  private void judge(Job job, int nodes) {
    var attemptPods = pods.stream().filter(p -> attemptOf(p) == status.attempt).toList();
    var verdict = FailurePolicy.judge(job, attemptPods, effective.getSpec().failurePolicy, status.attempt, status.restarts);
    switch (verdict) {
      case FailurePolicy.Verdict.Healthy healthy -> {
        status.readyWorkers = healthy.ready();
        if (healthy.suspended()) {
          status.phase = TrainingPhase.Queued;
          Conditions.set(status.conditions, Reasons.READY, false, Reasons.QUEUED,
              String.format(Reasons.MSG_QUEUED, job.getMetadata().getName(), effective.getSpec().resources.queueName), generation, now);
        } else if (healthy.ready() >= nodes) {
          status.phase = TrainingPhase.Running;
          Conditions.set(status.conditions, Reasons.READY, true, Reasons.RUNNING,
              String.format(Reasons.MSG_RUNNING, nodes, status.attempt), generation, now);
        } else {
          status.phase = TrainingPhase.Pending;
          Conditions.set(status.conditions, Reasons.READY, false, Reasons.WORKERS_STARTING,
              String.format(Reasons.MSG_STARTING, healthy.ready(), nodes, status.attempt), generation, now);
        }
      }
      case FailurePolicy.Verdict.Succeeded succeeded -> {
        status.phase = TrainingPhase.Succeeded;
        status.readyWorkers = 0;
        status.completionTime = timestamp();
        var message = String.format(Reasons.MSG_COMPLETED, nodes, status.attempt);
        Conditions.set(status.conditions, Reasons.READY, true, Reasons.COMPLETED, message, generation, now);
        events.normal(Reasons.COMPLETED, message);
        expireChildrenAfterTtl();
      }
      case FailurePolicy.Verdict.Restart restart -> {
        // The broken gang's Job goes only once the status holding attempt + 1 is written: were the
        // write lost, the next reconcile would judge the same Job again instead of re-running
        // this attempt under its old number and losing the restart from the count.
        brokenGang = Optional.of(job);
        status.restarts = status.restarts + 1;
        var message = String.format(Reasons.MSG_GANG_RESTARTED, status.attempt, restart.cause(), status.restarts,
            effective.getSpec().failurePolicy.maxRestarts);
        status.attempt = status.attempt + 1;
        status.phase = TrainingPhase.Restarting;
        status.readyWorkers = 0;
        Conditions.set(status.conditions, Reasons.READY, false, Reasons.GANG_RESTARTED, message, generation, now);
        events.warning(Reasons.GANG_RESTARTED, message);
        reschedule = RESTART_POLL;
      }
      case FailurePolicy.Verdict.Fail fail -> {
        // The failed Job stays (its pods' logs explain the failure) until the TTL removes it.
        status.phase = TrainingPhase.Failed;
        status.readyWorkers = 0;
        status.completionTime = timestamp();
        Conditions.set(status.conditions, Reasons.READY, false, fail.reason(), fail.message(), generation, now);
        events.warning(fail.reason(), fail.message());
        expireChildrenAfterTtl();
      }
    }
  }

  /** Reports a phase change to the control plane, writes the status once, then sends the events. */
  UpdateControl<MM1Training> finish() {
    status.observedGeneration = generation;
    boolean active = status.phase != TrainingPhase.Succeeded && status.phase != TrainingPhase.Failed;
    if (reschedule == null && active && controlPlane.configured()) {
      reschedule = settings.progressInterval(); // progress (step, loss, checkpoint) is polled
    }
    if (status.phase != null && status.phase != previousPhase) {
      reportTransition(status.runId, runState(status.phase));
    }
    return writeStatus();
  }

  @Override
  protected void afterStatusWritten() {
    brokenGang.ifPresent(job -> Children.delete(client, job));
  }

  static RunState runState(TrainingPhase phase) {
    return switch (phase) {
      case Pending, Queued -> RunState.Pending;
      case Running -> RunState.Running;
      case Restarting -> RunState.Restarting;
      case Suspended -> RunState.Suspended;
      case Succeeded -> RunState.Succeeded;
      case Failed -> RunState.Failed;
    };
  }

  private void rejectSpec(String reason, String message) {
    if (!Conditions.hasReason(status.conditions, Reasons.SPEC_ACCEPTED, reason)
        || !message.equals(Conditions.find(status.conditions, Reasons.SPEC_ACCEPTED).get().getMessage())) {
      events.warning(reason, message);
    }
    Conditions.set(status.conditions, Reasons.SPEC_ACCEPTED, false, reason, message, generation, now);
  }

  private String parentRunId() {
    if (effective.getSpec().init == null || effective.getSpec().init.fromTraining == null) {
      return null;
    }
    var source = client.resources(MM1Training.class).inNamespace(training.getMetadata().getNamespace())
        .withName(effective.getSpec().init.fromTraining).get();
    return source == null || source.getStatus() == null ? null : source.getStatus().runId;
  }

  /** MM1_RUN_ID: the control plane's run id, or the CR's UID when no run could be registered. */
  private String runId() {
    return status.runId != null ? status.runId : training.getMetadata().getUid();
  }

  private MM1Training withSpec(MM1TrainingSpec spec) {
    var copy = client.getKubernetesSerialization().clone(training);
    copy.setSpec(spec);
    return copy;
  }

  private MM1TrainingSpec acceptedSpec(ConfigMap config) {
    var text = config.getData() == null ? null : config.getData().get(TrainerConfig.ACCEPTED_SPEC_FILE);
    try {
      return text == null ? training.getSpec() : Canonical.JSON.readValue(text, MM1TrainingSpec.class);
    } catch (JsonProcessingException e) {
      return training.getSpec(); // a hand-edited ConfigMap: fall back to the current spec
    }
  }

  private static CommittedCheckpoint recordedInit(ConfigMap config) {
    var text = config.getData() == null ? null : config.getData().get(TrainerConfig.FILE);
    try {
      JsonNode resolved = text == null ? null : Canonical.JSON.readTree(text).path("init").path("resolved");
      return resolved == null || resolved.isMissingNode() ? null : Canonical.JSON.treeToValue(resolved, CommittedCheckpoint.class);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  static int attemptOf(HasMetadata child) {
    var labels = child.getMetadata().getLabels();
    try {
      return labels == null || labels.get(Labels.ATTEMPT) == null ? 0 : Integer.parseInt(labels.get(Labels.ATTEMPT));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
