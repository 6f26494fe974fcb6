package dev.mm1.operator.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mm1.api.ChildNames;
import dev.mm1.api.PodMounts;
import dev.mm1.api.config.Canonical;
import dev.mm1.api.config.TrainerConfig;
import dev.mm1.api.rest.RunKind;
import dev.mm1.api.rest.RunState;
import dev.mm1.api.v1alpha1.CommittedCheckpoint;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.MM1TrainingSpec;
import dev.mm1.api.v1alpha1.MM1TrainingStatus;
import dev.mm1.api.v1alpha1.TrainingPhase;
import dev.mm1.operator.CheckpointResolver;
import dev.mm1.operator.Children;
import dev.mm1.operator.Conditions;
import dev.mm1.operator.Labels;
import dev.mm1.operator.PodProblems;
import dev.mm1.operator.Reasons;
import dev.mm1.operator.ReconcilerServices;
import dev.mm1.operator.ResourceReconcile;
import dev.mm1.operator.validation.InvalidSpecException;
import dev.mm1.operator.validation.SpecValidator;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One reconcile of one MM1Training: what was observed, the status being built, and the events to
 * send once it is written. Each package-private method is one step of
 * {@link MM1TrainingReconciler#reconcile}.
 */
final class TrainingReconcile extends ResourceReconcile<MM1Training, MM1TrainingStatus> {
  static final Duration RESTART_POLL = Duration.ofSeconds(1);
  /** ConfigMap key of the resolved init checkpoint and how it is mounted (fixed once recorded). */
  static final String INIT_FILE = "init-checkpoint.json";

  private final MM1Training training;
  private final TrainingPhase previousPhase;

  private Optional<ConfigMap> configMap = Optional.empty();
  private Optional<Service> service = Optional.empty();
  private List<Job> jobs = List.of();
  private List<Pod> pods = List.of();
  private MM1Training effective;
  private InitCheckpoint init;
  private String configHash;
  /** The failed attempt's Job, deleted after the status that records the restart is written. */
  private Optional<Job> brokenGang = Optional.empty();

  /** An SFT's init checkpoint, as resolved once, and the read-only volume it is read from. */
  record InitCheckpoint(CommittedCheckpoint checkpoint, Volume volume, VolumeMount mount, String path) {}

  TrainingReconcile(MM1Training training, Context<MM1Training> context, ReconcilerServices services, Runnable wake) {
    super(training, context, services, new MM1TrainingStatus(), wake);
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

  /** Whether a gang was ever started: from then on the training has an accepted spec. */
  private boolean started() {
    return status.startTime != null || configMap.isPresent();
  }

  /**
   * Succeeded and Failed are terminal: once a gang ran, no edit (valid or not) runs anything again.
   * (A spec refused before any gang started is not a run; fixing it starts the first one.)
   */
  boolean finished() {
    boolean terminal = status.phase == TrainingPhase.Succeeded || status.phase == TrainingPhase.Failed;
    if (!terminal || !(status.startTime != null || !invalid())) {
      return false;
    }
    if (generation != Optional.ofNullable(status.observedGeneration).orElse(generation)) {
      var message = String.format(Reasons.MSG_FINISHED, status.phase);
      if (!Conditions.hasReason(status.conditions, Reasons.SPEC_ACCEPTED, Reasons.FINISHED)) {
        events.normal(Reasons.FINISHED, message);
      }
      Conditions.set(status.conditions, Reasons.SPEC_ACCEPTED, false, Reasons.FINISHED, message, generation, now);
    }
    return true;
  }

  /**
   * Checks the spec. A training that never started with a bad spec fails with InvalidSpec and gets
   * no children; a started one keeps running its last accepted spec, suspend and maxRestarts
   * included, and says why the new one was not taken.
   *
   * @return whether to go on reconciling the children
   */
  boolean validate(SpecValidator validator) {
    try {
      validator.check(training, client);
      return true;
    } catch (InvalidSpecException e) {
      if (!started()) {
        status.phase = TrainingPhase.Failed;
        markInvalid(e);
        return false;
      }
      rejectSpec(Reasons.INVALID_SPEC, String.format(Reasons.MSG_INVALID_SPEC, e.field(), e.problem()));
      var accepted = configMap.flatMap(this::acceptedSpec);
      if (accepted.isEmpty()) {
        return false; // nothing to run it from (ConfigMap deleted meanwhile): wait for a valid spec
      }
      effective = withSpec(accepted.get());
      return true;
    }
  }

  /**
   * A finished training keeps mirroring what its trainer reported last: the final step, loss and
   * checkpoint can reach the control plane after the Job completed (the trainer's last reports are
   * sent on its way out), and an SFT's "latest" must resolve to the final checkpoint, not to the one
   * seen before the Job ended. Stops once the control plane's run has ended and the status shows
   * its last step and checkpoint.
   */
  void mirrorFinalProgress() {
    if (status.runId == null || !controlPlane.configured()) {
      return;
    }
    var run = controlPlane.view(training.getMetadata().getUid()).run();
    boolean settled = run.isPresent() && run.get().state().isFinal() && Objects.equals(run.get().step(), status.step)
        && (run.get().latestCheckpoint() == null
            || status.latestCheckpoint != null && Objects.equals(run.get().latestCheckpoint().step(), status.latestCheckpoint.step));
    if (!settled) {
      syncControlPlane();
    }
  }

  /** ttlSecondsAfterFinished: deletes Job, pods, Service and ConfigMap; never the checkpoints. */
  void expireChildrenAfterTtl() {
    var children = new ArrayList<HasMetadata>(jobs);
    service.ifPresent(children::add);
    configMap.ifPresent(children::add);
    expireAfterTtl(effective.getSpec().ttlSecondsAfterFinished, status.completionTime, children);
  }

  /** SFT: the checkpoint to start from and its read-only mount, fixed once the ConfigMap records them. */
  boolean resolveInitCheckpoint() {
    var reference = effective.getSpec().init;
    if (reference == null) {
      return true;
    }
    var recorded = configMap.flatMap(TrainingReconcile::recordedInit);
    if (recorded.isPresent()) {
      init = recorded.get();
      return true;
    }
    switch (CheckpointResolver.resolve(reference, training.getMetadata().getNamespace(), client)) {
      case CheckpointResolver.Resolution.Found found -> {
        var volume = CheckpointVolume.ofCheckpoint(training.getMetadata().getName(), found.checkpoint(), found.training(),
            PodMounts.INIT_CHECKPOINT_VOLUME, PodMounts.INIT_CHECKPOINT_DIR);
        init = new InitCheckpoint(found.checkpoint(), volume.volume(), volume.mount(), volume.stepDirectory(found.checkpoint()));
        checkpointResolved(found.checkpoint());
        return true;
      }
      case CheckpointResolver.Resolution.Waiting waiting -> {
        waitForCheckpoint(waiting);
        status.phase = TrainingPhase.Pending;
        return false;
      }
    }
  }

  /** The run in the control plane, from the cache (never waits for it); progress goes into status. */
  void syncControlPlane() {
    var run = syncRun(status.runId, RunKind.Training, this::parentRunId);
    knownRunId().ifPresent(id -> status.runId = id);
    run.ifPresent(r -> {
      if (r.step() != null && !Objects.equals(r.step(), status.step)) {
        status.lastProgressTime = timestamp();
      }
      status.step = r.step();
      status.loss = r.loss();
      if (r.latestCheckpoint() != null) {
        var checkpoint = new CommittedCheckpoint();
        checkpoint.step = r.latestCheckpoint().step();
        checkpoint.uri = r.latestCheckpoint().uri();
        checkpoint.sha256 = r.latestCheckpoint().sha256();
        status.latestCheckpoint = checkpoint;
      }
      // Level-triggered: a transition lost while the operator restarted is sent again.
      if (status.phase != null && r.state() != runState(status.phase) && !r.state().isFinal()
          && controlPlane.view(training.getMetadata().getUid()).pendingTransitions() == 0) {
        reportTransition(runState(status.phase));
      }
    });
  }

  /**
   * Compares the spec with the one accepted when the children were first made; a change of a field
   * that cannot change is refused with a condition and the accepted spec keeps running, with the
   * new suspend, maxRestarts and TTL.
   */
  void rejectImmutableChanges() {
    if (configMap.isEmpty() || effective != training) {
      if (configMap.isEmpty()) {
        Conditions.set(status.conditions, Reasons.SPEC_ACCEPTED, true, Reasons.ACCEPTED, "spec accepted", generation, now);
      }
      return;
    }
    var accepted = acceptedSpec(configMap.get()).orElse(training.getSpec());
    var changed = TrainerConfig.changedFields(TrainerConfig.acceptedSpec(accepted), TrainerConfig.acceptedSpec(training.getSpec()));
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
  boolean applyConfigAndService() {
    var name = training.getMetadata().getName();
    var spec = effective.getSpec();
    var checkpoints = CheckpointVolume.of(effective);
    var config = TrainerConfig.render(effective, checkpoints.directory(), init == null ? null : init.checkpoint(),
        init == null ? null : init.path(), dev.mm1.api.validation.TrainingRules.processesPerNode(effective));
    configHash = config.hash();
    var data = new java.util.LinkedHashMap<>(config.data(Canonical.tree(spec)));
    if (init != null) {
      data.put(INIT_FILE, Canonical.text(Canonical.tree(init)));
    }
    var desiredConfig = TrainingResources.configMap(effective, config, TrainerConfig.acceptedSpec(spec));
    desiredConfig.setData(data);
    try {
      if (configMap.isEmpty()) {
        if (Children.create(context, desiredConfig, training) && status.startTime != null) {
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
        if (Children.create(context, desiredService, training) && status.startTime != null) {
          events.normal(Reasons.CHILD_RECREATED, String.format(Reasons.MSG_CHILD_RECREATED, "Service", desiredService.getMetadata().getName()));
        }
      }
      return true;
    } catch (Children.NameTakenException e) {
      notReady(Reasons.CHILD_NAME_TAKEN, e.getMessage());
      status.phase = status.phase == null ? TrainingPhase.Pending : status.phase;
      reschedule = settings.progressInterval();
      return false;
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
    // Never two gangs alive: an older attempt's Job goes (with its pods) before the next one starts.
    jobs.stream().filter(j -> attemptOf(j) < status.attempt).forEach(job -> Children.delete(client, job));

    if (Boolean.TRUE.equals(spec.suspend)) {
      current.ifPresent(job -> Children.delete(client, job));
      if (previousPhase != TrainingPhase.Suspended) {
        events.normal(Reasons.SUSPENDED, Reasons.MSG_SUSPENDED);
      }
      status.phase = TrainingPhase.Suspended;
      status.readyWorkers = 0;
      Conditions.set(status.conditions, Reasons.READY, false, Reasons.SUSPENDED, Reasons.MSG_SUSPENDED, generation, now);
      Conditions.set(status.conditions, Reasons.SUSPENDED_CONDITION, true, Reasons.SUSPENDED, Reasons.MSG_SUSPENDED, generation, now);
      return;
    }
    if (Conditions.isTrue(status.conditions, Reasons.SUSPENDED_CONDITION)) {
      Conditions.set(status.conditions, Reasons.SUSPENDED_CONDITION, false, Reasons.RESUMED, "spec.suspend is false", generation, now);
    }
    if (previousPhase == TrainingPhase.Suspended && (current.isEmpty() || current.get().getMetadata().getDeletionTimestamp() != null)) {
      status.attempt = attempt + 1;
      current = Optional.empty();
      events.normal(Reasons.RESUMED, String.format(Reasons.MSG_RESUMED, status.attempt));
    }
    if (current.isPresent() && current.get().getMetadata().getDeletionTimestamp() != null) {
      // Someone deleted this attempt's Job: it is made again once it and its pods are gone.
      waitForPreviousGang(current.get());
      return;
    }
    if (current.isEmpty()) {
      startAttempt();
      return;
    }
    judge(current.get(), nodes);
  }

  private void waitForPreviousGang(Job job) {
    long left = pods.stream().filter(p -> attemptOf(p) <= attemptOf(job)).count();
    status.phase = TrainingPhase.Restarting;
    status.readyWorkers = 0;
    Conditions.set(status.conditions, Reasons.READY, false, Reasons.WAITING_FOR_PREVIOUS_GANG,
        String.format(Reasons.MSG_WAITING_FOR_PREVIOUS_GANG, status.attempt, left), generation, now);
    reschedule = RESTART_POLL;
  }

  private void startAttempt() {
    int nodes = effective.getSpec().resources.nodes;
    status.readyWorkers = 0;
    // Two gangs must never write the same checkpoint directory: wait until every Job and pod of the
    // earlier attempts is gone (terminating pods included), not only until their Job was deleted.
    var earlier = pods.stream().filter(p -> attemptOf(p) < status.attempt).count()
        + jobs.stream().filter(j -> attemptOf(j) < status.attempt).count();
    if (earlier > 0) {
      status.phase = TrainingPhase.Restarting;
      Conditions.set(status.conditions, Reasons.READY, false, Reasons.WAITING_FOR_PREVIOUS_GANG,
          String.format(Reasons.MSG_WAITING_FOR_PREVIOUS_GANG, status.attempt, earlier), generation, now);
      reschedule = RESTART_POLL; // pod deletions also trigger a reconcile; this is the fallback
      return;
    }
    if (status.attempt > ChildNames.MAX_ATTEMPTS) {
      status.phase = TrainingPhase.Failed;
      status.completionTime = timestamp();
      failed(Reasons.ATTEMPTS_EXHAUSTED, String.format(Reasons.MSG_ATTEMPTS_EXHAUSTED, status.attempt - 1, "no attempt left", ChildNames.MAX_ATTEMPTS));
      return;
    }
    if (controlPlane.configured() && !TokenSecret.present(client, training.getMetadata().getNamespace(), settings)) {
      status.phase = TrainingPhase.Pending;
      var ns = training.getMetadata().getNamespace();
      notReady(Reasons.TOKEN_SECRET_MISSING, String.format(Reasons.MSG_TOKEN_SECRET_MISSING, settings.tokenSecretName(),
          settings.tokenSecretKey(), ns, settings.tokenSecretName(), settings.tokenSecretKey()));
      reschedule = settings.progressInterval();
      return;
    }
    var job = TrainingResources.job(effective, status.attempt, runIdForPods(status.runId), configHash,
        init == null ? null : new CheckpointVolume(init.volume(), init.mount(), init.path()), settings);
    try {
      var claim = TrainingResources.checkpointClaim(effective);
      if (claim.isPresent()) {
        Children.createIfAbsent(client, claim.get(), training);
      }
      boolean created = Children.create(context, job, training);
      if (created && status.startTime != null && previousPhase != TrainingPhase.Restarting && previousPhase != TrainingPhase.Suspended) {
        events.normal(Reasons.CHILD_RECREATED, String.format(Reasons.MSG_CHILD_RECREATED, "Job", job.getMetadata().getName()));
      }
    } catch (Children.NameTakenException e) {
      status.phase = TrainingPhase.Pending;
      notReady(Reasons.CHILD_NAME_TAKEN, e.getMessage());
      reschedule = settings.progressInterval();
      return;
    }
    if (status.startTime == null) {
      status.startTime = timestamp();
    }
    status.lastProgressTime = timestamp();
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
    var policy = effective.getSpec().failurePolicy;
    var verdict = FailurePolicy.judge(job, attemptPods, policy, status.attempt, status.restarts, now);
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
          checkProgress(policy.progressDeadlineSeconds);
        } else {
          status.phase = TrainingPhase.Pending;
          var problem = PodProblems.find(client, job, attemptPods, nodes, now);
          if (problem.isPresent()) {
            notReady(problem.get().reason(), problem.get().message());
            reschedule = settings.progressInterval();
          } else {
            Conditions.set(status.conditions, Reasons.READY, false, Reasons.WORKERS_STARTING,
                String.format(Reasons.MSG_STARTING, healthy.ready(), nodes, status.attempt), generation, now);
          }
        }
      }
      case FailurePolicy.Verdict.Succeeded succeeded -> {
        status.phase = TrainingPhase.Succeeded;
        status.readyWorkers = 0;
        status.completionTime = timestamp();
        complete(Reasons.COMPLETED, String.format(Reasons.MSG_COMPLETED, nodes, status.attempt));
        expireChildrenAfterTtl();
      }
      case FailurePolicy.Verdict.Wait wait -> reschedule = RESTART_POLL;
      case FailurePolicy.Verdict.Restart restart -> {
        // The broken gang's Job goes only once the status holding attempt + 1 is written: were the
        // write lost, the next reconcile would judge the same Job again instead of re-running
        // this attempt under its old number and losing the restart from the count.
        brokenGang = Optional.of(job);
        String message;
        String reason;
        if (restart.counted()) {
          status.restarts = status.restarts + 1;
          reason = Reasons.GANG_RESTARTED;
          message = String.format(Reasons.MSG_GANG_RESTARTED, status.attempt, restart.cause(), status.restarts, policy.maxRestarts);
        } else {
          status.disruptions = (status.disruptions == null ? 0 : status.disruptions) + 1;
          reason = Reasons.DISRUPTED;
          message = String.format(Reasons.MSG_DISRUPTED, status.attempt, restart.cause());
        }
        status.attempt = status.attempt + 1;
        status.phase = TrainingPhase.Restarting;
        status.readyWorkers = 0;
        Conditions.set(status.conditions, Reasons.READY, false, reason, message, generation, now);
        events.warning(reason, message);
        reschedule = RESTART_POLL;
      }
      case FailurePolicy.Verdict.Fail fail -> {
        // The failed Job stays (its pods' logs explain the failure) until the TTL removes it.
        status.phase = TrainingPhase.Failed;
        status.readyWorkers = 0;
        status.completionTime = timestamp();
        failed(fail.reason(), fail.message());
        expireChildrenAfterTtl();
      }
    }
  }

  /** Progressing: True while the step moves; False (and a Warning) once it has not for the deadline. */
  private void checkProgress(Integer deadlineSeconds) {
    if (deadlineSeconds == null || deadlineSeconds == 0 || status.lastProgressTime == null) {
      return;
    }
    var since = Instant.parse(status.lastProgressTime);
    var deadline = since.plusSeconds(deadlineSeconds);
    if (now.isBefore(deadline)) {
      Conditions.set(status.conditions, Reasons.PROGRESSING, true, Reasons.STEP_ADVANCING,
          String.format(Reasons.MSG_STEP_ADVANCING, status.step == null ? 0 : status.step, status.lastProgressTime), generation, now);
      var untilDeadline = Duration.between(now, deadline).plusSeconds(1);
      if (reschedule == null || untilDeadline.compareTo(reschedule) < 0) {
        reschedule = untilDeadline;
      }
      return;
    }
    var message = String.format(Reasons.MSG_STALLED, status.step == null ? "(none yet)" : status.step, status.lastProgressTime, deadlineSeconds);
    if (!Conditions.hasReason(status.conditions, Reasons.PROGRESSING, Reasons.STALLED)) {
      events.warning(Reasons.STALLED, message);
    }
    Conditions.set(status.conditions, Reasons.PROGRESSING, false, Reasons.STALLED, message, generation, now);
  }

  /** Queues a phase change for the control plane, writes the status once, then sends the events. */
  UpdateControl<MM1Training> finish() {
    status.observedGeneration = generation;
    if (status.phase != null && status.phase != previousPhase) {
      reportTransition(runState(status.phase));
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

  private MM1Training withSpec(MM1TrainingSpec spec) {
    var copy = client.getKubernetesSerialization().clone(training);
    copy.setSpec(spec);
    return copy;
  }

  /** The last accepted spec, mutable fields (suspend, maxRestarts, TTL) included, from the ConfigMap. */
  private Optional<MM1TrainingSpec> acceptedSpec(ConfigMap config) {
    var text = config.getData() == null ? null : config.getData().get(TrainerConfig.ACCEPTED_SPEC_FILE);
    try {
      return text == null ? Optional.empty() : Optional.of(Canonical.JSON.readValue(text, MM1TrainingSpec.class));
    } catch (JsonProcessingException e) {
      return Optional.empty(); // a hand-edited ConfigMap
    }
  }

  private static Optional<InitCheckpoint> recordedInit(ConfigMap config) {
    var text = config.getData() == null ? null : config.getData().get(INIT_FILE);
    try {
      return text == null ? Optional.empty() : Optional.of(Canonical.JSON.readValue(text, InitCheckpoint.class));
    } catch (JsonProcessingException e) {
      return Optional.empty();
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
