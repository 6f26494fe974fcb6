package dev.mm1.operator.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mm1.api.rest.RunKind;
import dev.mm1.api.rest.RunState;
import dev.mm1.api.v1alpha1.BenchmarkResult;
import dev.mm1.api.v1alpha1.CommittedCheckpoint;
import dev.mm1.api.v1alpha1.EvalPhase;
import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1EvalStatus;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.config.Canonical;
import dev.mm1.api.gate.GateEvaluation;
import dev.mm1.operator.CheckpointResolver;
import dev.mm1.operator.Children;
import dev.mm1.operator.Conditions;
import dev.mm1.operator.ReconcilerServices;
import dev.mm1.operator.ResourceReconcile;
import dev.mm1.operator.Labels;
import dev.mm1.operator.Reasons;
import dev.mm1.operator.controlplane.ControlPlaneException;
import dev.mm1.operator.training.FailurePolicy;
import dev.mm1.api.config.TrainerConfig;
import dev.mm1.operator.validation.InvalidSpecException;
import dev.mm1.operator.validation.SpecValidator;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One reconcile of one MM1Eval; each method is one step of {@link MM1EvalReconciler#reconcile}. */
final class EvalReconcile extends ResourceReconcile<MM1Eval, MM1EvalStatus> {

  private final MM1Eval eval;
  private final EvalPhase previousPhase;

  private Optional<ConfigMap> configMap = Optional.empty();
  private Optional<Job> job = Optional.empty();
  private MM1Training source;

  EvalReconcile(MM1Eval eval, Context<MM1Eval> context, ReconcilerServices services, Runnable wake) {
    super(eval, context, services, new MM1EvalStatus(), wake);
    this.eval = eval;
    if (status.conditions == null) {
      status.conditions = new ArrayList<>();
    }
    if (status.results == null) {
      status.results = new ArrayList<>();
    }
    this.previousPhase = status.phase;
  }

  @Override
  protected List<Condition> conditions() {
    return status.conditions;
  }

  void observe() {
    var uid = eval.getMetadata().getUid();
    configMap = context.getSecondaryResources(ConfigMap.class).stream().filter(c -> Labels.isChildOf(c, uid)).findFirst();
    job = context.getSecondaryResources(Job.class).stream().filter(j -> Labels.isChildOf(j, uid)).findFirst();
  }

  boolean validate(SpecValidator validator) {
    try {
      validator.check(eval, client);
      return true;
    } catch (InvalidSpecException e) {
      status.phase = EvalPhase.Failed;
      markInvalid(e);
      return false;
    }
  }

  /** Succeeded, GateFailed and Failed are terminal: an edit never evaluates again. */
  boolean finished() {
    return (status.startTime != null || !invalid())
        && (status.phase == EvalPhase.Succeeded || status.phase == EvalPhase.GateFailed || status.phase == EvalPhase.Failed);
  }

  void expireChildrenAfterTtl() {
    var children = new ArrayList<HasMetadata>();
    job.ifPresent(children::add);
    configMap.ifPresent(children::add);
    expireAfterTtl(eval.getSpec().ttlSecondsAfterFinished, status.completionTime, children);
  }

  /** The checkpoint to evaluate; fixed once the evaluator's ConfigMap records it. */
  boolean resolveCheckpoint() {
    var reference = eval.getSpec().checkpoint;
    if (reference.fromTraining != null) {
      source = client.resources(MM1Training.class).inNamespace(eval.getMetadata().getNamespace()).withName(reference.fromTraining).get();
    }
    var recorded = configMap.flatMap(EvalReconcile::recordedCheckpoint);
    if (recorded.isPresent() && (reference.uri != null || source != null)) {
      status.checkpoint = recorded.get();
      return true;
    }
    switch (CheckpointResolver.resolve(reference, eval.getMetadata().getNamespace(), client)) {
      case CheckpointResolver.Resolution.Found found -> {
        status.checkpoint = found.checkpoint();
        source = found.training();
        checkpointResolved(found.checkpoint());
        return true;
      }
      case CheckpointResolver.Resolution.Waiting waiting -> {
        status.phase = EvalPhase.Waiting;
        waitForCheckpoint(waiting);
        return false;
      }
    }
  }

  /** The eval's run in the control plane, from the cache; registration goes in the background. */
  void syncControlPlane() {
    syncRun(status.runId, RunKind.Eval, () -> source == null || source.getStatus() == null ? null : source.getStatus().runId);
    knownRunId().ifPresent(id -> status.runId = id);
  }

  /** @return false when a child's name is taken by an object that is not this eval's */
  boolean applyConfigAndJob() {
    var volume = EvalResources.checkpointVolume(eval, status.checkpoint, source);
    var config = EvalResources.config(eval, status.checkpoint, source, volume);
    var desiredConfig = EvalResources.configMap(eval, config);
    try {
      if (configMap.isEmpty()) {
        Children.create(context, desiredConfig, eval);
      }
      if (job.isEmpty()) {
        var desiredJob = EvalResources.job(eval, runIdForPods(status.runId), Canonical.sha256(config), volume, settings);
        if (Children.create(context, desiredJob, eval) && status.startTime != null) {
          events.normal(Reasons.CHILD_RECREATED, String.format(Reasons.MSG_CHILD_RECREATED, "Job", desiredJob.getMetadata().getName()));
        }
        job = Optional.of(desiredJob);
      }
    } catch (Children.NameTakenException e) {
      status.phase = EvalPhase.Pending;
      notReady(Reasons.CHILD_NAME_TAKEN, e.getMessage());
      reschedule = settings.progressInterval();
      return false;
    }
    if (status.startTime == null) {
      status.startTime = timestamp();
    }
    return true;
  }

  void judgeEvaluator() {
    var current = job.orElseThrow();
    var name = current.getMetadata().getName();
    if (FailurePolicy.hasCondition(current, "Failed")) {
      fail(Reasons.EVALUATOR_FAILED, String.format(Reasons.MSG_EVALUATOR_FAILED, name, FailurePolicy.jobCause(current)));
      return;
    }
    if (!FailurePolicy.hasCondition(current, "Complete")) {
      status.phase = EvalPhase.Running;
      Conditions.set(status.conditions, Reasons.READY, false, Reasons.EVALUATING,
          String.format(Reasons.MSG_EVALUATING, name, eval.getSpec().benchmarks.size(), status.checkpoint.step), generation, now);
      return;
    }
    if (!controlPlane.configured() || status.runId == null) {
      status.phase = EvalPhase.Running;
      reschedule = settings.progressInterval();
      return; // the results are in the control plane; the condition says why they are not here yet
    }
    try {
      var records = controlPlane.results(status.runId);
      if (records.isEmpty()) {
        fail(Reasons.NO_RESULTS, String.format(Reasons.MSG_NO_RESULTS, name, status.runId));
        return;
      }
      status.results = records.stream().map(GateEvaluation::result).toList();
      if (eval.getSpec().gate != null && !judgeGate()) {
        return;
      }
      status.completionTime = timestamp();
      if (status.gate != null && !Boolean.TRUE.equals(status.gate.passed)) {
        status.phase = EvalPhase.GateFailed;
        failed(Reasons.GATE_FAILED, String.join("; ", status.gate.failures));
      } else {
        status.phase = EvalPhase.Succeeded;
        complete(Reasons.COMPLETED, String.format(Reasons.MSG_EVAL_DONE, status.results.size()));
      }
      expireChildrenAfterTtl();
    } catch (ControlPlaneException e) {
      status.phase = EvalPhase.Running;
      Conditions.set(status.conditions, Reasons.CONTROL_PLANE_REACHABLE, false, Reasons.UNREACHABLE,
          String.format(Reasons.MSG_UNREACHABLE, controlPlane.url(), e.getMessage()), generation, now);
      reschedule = settings.progressInterval();
    }
  }

  /** @return false when the baseline is not there yet */
  private boolean judgeGate() throws ControlPlaneException {
    var gate = eval.getSpec().gate;
    List<BenchmarkResult> baseline = List.of();
    if (gate.baselineEval != null) {
      var base = client.resources(MM1Eval.class).inNamespace(eval.getMetadata().getNamespace()).withName(gate.baselineEval).get();
      if (base == null || base.getStatus() == null || base.getStatus().phase != EvalPhase.Succeeded) {
        status.phase = EvalPhase.Running;
        Conditions.set(status.conditions, Reasons.READY, false, Reasons.WAITING_FOR_BASELINE,
            String.format(Reasons.MSG_WAITING_FOR_BASELINE, gate.baselineEval), generation, now);
        reschedule = settings.progressInterval();
        return false;
      }
      baseline = base.getStatus().results;
    } else if (gate.baselineRunId != null) {
      baseline = controlPlane.results(gate.baselineRunId).stream().map(GateEvaluation::result).toList();
    }
    status.gate = GateEvaluation.judge(status.results, gate, baseline);
    if (status.gate.passed) {
      Conditions.set(status.conditions, Reasons.GATE, true, Reasons.GATE_PASSED, Reasons.MSG_GATE_PASSED, generation, now);
    } else {
      Conditions.set(status.conditions, Reasons.GATE, false, Reasons.GATE_FAILED, String.join("; ", status.gate.failures), generation, now);
    }
    return true;
  }

  UpdateControl<MM1Eval> finish() {
    status.observedGeneration = generation;
    if (status.phase != null && status.phase != previousPhase) {
      reportTransition(runState(status.phase));
    }
    return writeStatus();
  }

  private void fail(String reason, String message) {
    status.phase = EvalPhase.Failed;
    status.completionTime = timestamp();
    failed(reason, message);
    expireChildrenAfterTtl();
  }

  static RunState runState(EvalPhase phase) {
    return switch (phase) {
      case Pending, Waiting -> RunState.Pending;
      case Running -> RunState.Running;
      case Succeeded -> RunState.Succeeded;
      // The evaluation ran and its results are recorded; the gate's verdict is the CR's (and CI's) to tell.
      case GateFailed -> RunState.Succeeded;
      case Failed -> RunState.Failed;
    };
  }

  private static Optional<CommittedCheckpoint> recordedCheckpoint(ConfigMap config) {
    var text = config.getData() == null ? null : config.getData().get(TrainerConfig.FILE);
    try {
      var node = text == null ? null : Canonical.JSON.readTree(text).path("checkpoint");
      if (node == null || node.isMissingNode()) {
        return Optional.empty();
      }
      var checkpoint = new CommittedCheckpoint();
      checkpoint.uri = node.path("uri").asText(null);
      checkpoint.step = node.has("step") ? node.path("step").asLong() : null;
      checkpoint.sha256 = node.path("sha256").asText(null);
      return Optional.of(checkpoint);
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
