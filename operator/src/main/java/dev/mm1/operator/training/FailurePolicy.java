package dev.mm1.operator.training;

import dev.mm1.api.v1alpha1.FailurePolicySpec;
import dev.mm1.operator.Labels;
import dev.mm1.operator.Reasons;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Judges a gang attempt from its Job and pods: still going, done, or broken, and when broken,
 * whether the gang restarts from the latest checkpoint (counted against maxRestarts or not) or the
 * training fails. One failed worker breaks the whole gang (collectives cannot go on without it).
 *
 * <p>The verdict does not depend on the order in which Job and pod events arrive: a non-retryable
 * exit code fails the training whether the operator sees the pod's exit or the Job's
 * PodFailurePolicy condition first (the Job's podFailurePolicy applies the same codes), and a Job
 * that failed before its failed pod reached the cache is not judged until the pod is there (or a
 * grace period passed). The cause is the worker that failed first on its own, never a sibling that
 * the Job controller killed afterwards.
 */
public final class FailurePolicy {
  /** The Job condition reason of a podFailurePolicy FailJob rule. */
  public static final String FAIL_JOB = "FailJob";
  static final String POD_FAILURE_POLICY = "PodFailurePolicy";
  /** The Job condition the Job controller sets when it decides the Job fails, before its pods terminated. */
  static final String FAILURE_TARGET = "FailureTarget";
  /** The pod condition Kubernetes adds to pods it preempts, evicts or drains. */
  public static final String DISRUPTION_TARGET = "DisruptionTarget";
  /** How long a Failed Job waits for its failed pod to show up in the cache before it is judged alone. */
  static final Duration POD_GRACE = Duration.ofSeconds(10);

  private FailurePolicy() {}

  /** What the gang's state means for the training. */
  public sealed interface Verdict {
    /** Running or starting: {@code ready} of the gang's workers are ready. */
    record Healthy(int ready, boolean suspended) implements Verdict {}

    /** Every worker completed. */
    record Succeeded() implements Verdict {}

    /** Broken; restart the gang as the next attempt; {@code counted}: it uses up one of maxRestarts. */
    record Restart(String cause, boolean counted) implements Verdict {}

    /** Broken for good. */
    record Fail(String reason, String message) implements Verdict {}

    /** The Job failed but the pod that says why is not seen yet: look again shortly. */
    record Wait() implements Verdict {}
  }

  /**
   * @param job the attempt's Job
   * @param pods the attempt's pods
   * @param policy the training's failure policy
   * @param attempt the attempt the Job runs
   * @param restarts counted gang restarts so far
   * @param now the time of this judgement
   */
  public static Verdict judge(Job job, List<Pod> pods, FailurePolicySpec policy, int attempt, int restarts, Instant now) {
    int completions = job.getSpec().getCompletions() == null ? 1 : job.getSpec().getCompletions();
    var status = job.getStatus();
    if (hasCondition(job, "Complete") || (status != null && status.getSucceeded() != null && status.getSucceeded() >= completions)) {
      return new Verdict.Succeeded();
    }
    // Kubernetes 1.31+ sets FailureTarget as soon as it decides, and Failed only once every pod terminated.
    var failedJob = condition(job, "Failed").or(() -> condition(job, FAILURE_TARGET));
    if (failedJob.isPresent() && POD_FAILURE_POLICY.equals(failedJob.get().getReason())) {
      return new Verdict.Fail(Reasons.NON_RETRYABLE_EXIT, String.format(Reasons.MSG_NON_RETRYABLE_JOB, job.getMetadata().getName(),
          Objects.requireNonNullElse(failedJob.get().getMessage(), "a worker exited with a non-retryable code")));
    }
    var nonRetryable = policy.nonRetryableExitCodes == null ? List.<Integer>of() : policy.nonRetryableExitCodes;
    var broken = pods.stream().filter(p -> failed(p) || disrupted(p)).sorted(FIRST_FAILURE).toList();
    for (var pod : broken) {
      var code = exitCode(pod).filter(nonRetryable::contains);
      if (code.isPresent()) {
        return new Verdict.Fail(Reasons.NON_RETRYABLE_EXIT, String.format(Reasons.MSG_NON_RETRYABLE, pod.getMetadata().getName(), code.get()));
      }
    }
    if (broken.isEmpty()) {
      if (failedJob.isEmpty() && !(status != null && status.getFailed() != null && status.getFailed() > 0)) {
        int ready = status != null && status.getReady() != null ? status.getReady() : (int) pods.stream().filter(FailurePolicy::ready).count();
        return new Verdict.Healthy(ready, Boolean.TRUE.equals(job.getSpec().getSuspend()));
      }
      // The Job counted a failure its pod does not show yet (the pod watch runs behind): the pod
      // says whether it was a disruption or a non-retryable code, so it is waited for, a while.
      if (failedJob.isEmpty()) {
        return new Verdict.Wait(); // counted, not decided yet: the condition follows in the next status write
      }
      var since = instant(failedJob.get().getLastTransitionTime());
      if (since != null && Duration.between(since, now).compareTo(POD_GRACE) < 0) {
        return new Verdict.Wait();
      }
    }
    var first = broken.isEmpty() ? null : broken.getFirst();
    var cause = first == null ? jobCause(job) : cause(first);
    if (first != null && disrupted(first)) {
      return new Verdict.Restart(cause, false);
    }
    int maxRestarts = policy.maxRestarts == null ? 0 : policy.maxRestarts;
    if (restarts >= maxRestarts) {
      return new Verdict.Fail(Reasons.RESTARTS_EXHAUSTED, String.format(Reasons.MSG_RESTARTS_EXHAUSTED, attempt, cause, restarts, maxRestarts));
    }
    return new Verdict.Restart(cause, true);
  }

  /**
   * Failures in the order they happened: pods that broke on their own (or were disrupted) before
   * pods deleted by a controller and killed afterwards; then by when the container ended; then by
   * worker index.
   */
  static final Comparator<Pod> FIRST_FAILURE = Comparator
      .comparing((Pod pod) -> killedAfterwards(pod) ? 1 : 0)
      .thenComparing(pod -> failureTime(pod).orElse(Instant.MAX))
      .thenComparing(pod -> index(pod));

  /** Why the gang broke, for people: the worker that failed first and how. */
  public static String cause(Pod pod) {
    var name = pod.getMetadata().getName();
    var disruption = podCondition(pod, DISRUPTION_TARGET);
    if (disruption.isPresent()) {
      return "worker " + name + " was disrupted (" + Objects.requireNonNullElse(disruption.get().getReason(), DISRUPTION_TARGET)
          + (disruption.get().getMessage() == null ? "" : ": " + disruption.get().getMessage()) + ")";
    }
    var terminated = terminated(pod);
    if (terminated.isPresent()) {
      var t = terminated.get();
      return "worker " + name + " exited with code " + t.getExitCode() + (t.getReason() == null ? "" : " (" + t.getReason() + ")");
    }
    var reason = pod.getStatus() == null ? null : pod.getStatus().getReason();
    return "worker " + name + " failed" + (reason == null ? "" : " (" + reason + ")");
  }

  /** The Job's own account of its failure, when no failed pod is left to tell. */
  public static String jobCause(Job job) {
    return condition(job, "Failed")
        .map(c -> "Job " + job.getMetadata().getName() + " failed: " + Objects.requireNonNullElse(c.getReason(), "")
            + (c.getMessage() == null ? "" : " " + c.getMessage()))
        .orElse("Job " + job.getMetadata().getName() + " has a failed worker");
  }

  static Optional<Integer> exitCode(Pod pod) {
    return terminated(pod).map(ContainerStateTerminated::getExitCode);
  }

  static boolean failed(Pod pod) {
    return pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase());
  }

  /** Preempted, evicted or drained: the DisruptionTarget condition is set before the pod stops. */
  static boolean disrupted(Pod pod) {
    return podCondition(pod, DISRUPTION_TARGET).filter(c -> "True".equals(c.getStatus())).isPresent();
  }

  /** Deleted by someone (the Job controller after the Job failed) before its container ended, without a disruption. */
  private static boolean killedAfterwards(Pod pod) {
    var deleted = pod.getMetadata().getDeletionTimestamp();
    if (deleted == null || disrupted(pod)) {
      return false;
    }
    var finished = failureTime(pod);
    return finished.isEmpty() || !instant(deleted).isAfter(finished.get());
  }

  private static Optional<Instant> failureTime(Pod pod) {
    var disruption = podCondition(pod, DISRUPTION_TARGET).map(PodCondition::getLastTransitionTime).map(FailurePolicy::instant);
    if (disruption.isPresent()) {
      return disruption;
    }
    return terminated(pod).map(ContainerStateTerminated::getFinishedAt).map(FailurePolicy::instant);
  }

  private static int index(Pod pod) {
    var labels = pod.getMetadata().getLabels();
    try {
      return labels == null || labels.get(Labels.COMPLETION_INDEX) == null ? Integer.MAX_VALUE : Integer.parseInt(labels.get(Labels.COMPLETION_INDEX));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static Optional<ContainerStateTerminated> terminated(Pod pod) {
    return containerStatuses(pod)
        .map(s -> s.getState() != null ? s.getState().getTerminated() : null)
        .filter(Objects::nonNull)
        .findFirst();
  }

  private static Optional<PodCondition> podCondition(Pod pod, String type) {
    return pod.getStatus() == null || pod.getStatus().getConditions() == null ? Optional.empty()
        : pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static Stream<ContainerStatus> containerStatuses(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
        ? Stream.empty()
        : pod.getStatus().getContainerStatuses().stream();
  }

  static boolean ready(Pod pod) {
    return podCondition(pod, "Ready").filter(c -> "True".equals(c.getStatus())).isPresent();
  }

  static Instant instant(String time) {
    try {
      return Instant.parse(time);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    return job.getStatus() == null || job.getStatus().getConditions() == null ? Optional.empty()
        : job.getStatus().getConditions().stream().filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
  }

  public static boolean hasCondition(Job job, String type) {
    return condition(job, type).isPresent();
  }
}
