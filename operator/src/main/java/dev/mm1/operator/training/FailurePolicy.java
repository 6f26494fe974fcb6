package dev.mm1.operator.training;

import dev.mm1.api.v1alpha1.FailurePolicySpec;
import dev.mm1.operator.Reasons;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Judges a gang attempt from its Job and pods: still going, done, or broken, and when broken,
 * whether the gang restarts from the latest checkpoint or the training fails. One failed worker
 * breaks the whole gang (collectives cannot continue without it).
 */
public final class FailurePolicy {
  private FailurePolicy() {}

  /** What the gang's state means for the training. */
  public sealed interface Verdict {
    /** Running or starting: {@code ready} of the gang's workers are ready. */
    record Healthy(int ready, boolean suspended) implements Verdict {}

    /** Every worker completed. */
    record Succeeded() implements Verdict {}

    /** Broken; restart the gang as the next attempt. */
    record Restart(String cause) implements Verdict {}

    /** Broken for good. */
    record Fail(String reason, String message) implements Verdict {}
  }

  /**
   * @param job the attempt's Job
   * @param pods the attempt's pods
   * @param policy the training's failure policy
   * @param attempt the attempt the Job runs
   * @param restarts gang restarts so far
   */
  public static Verdict judge(Job job, List<Pod> pods, FailurePolicySpec policy, int attempt, int restarts) {
    int completions = job.getSpec().getCompletions() == null ? 1 : job.getSpec().getCompletions();
    var status = job.getStatus();
    if (hasCondition(job, "Complete") || (status != null && status.getSucceeded() != null && status.getSucceeded() >= completions)) {
      return new Verdict.Succeeded();
    }
    var failedPods = pods.stream().filter(p -> p.getStatus() != null && "Failed".equals(p.getStatus().getPhase())).toList();
    boolean jobFailed = hasCondition(job, "Failed") || (status != null && status.getFailed() != null && status.getFailed() > 0);
    if (!jobFailed && failedPods.isEmpty()) {
      int ready = status != null && status.getReady() != null ? status.getReady() : (int) pods.stream().filter(FailurePolicy::ready).count();
      return new Verdict.Healthy(ready, Boolean.TRUE.equals(job.getSpec().getSuspend()));
    }
    var nonRetryable = policy.nonRetryableExitCodes == null ? List.<Integer>of() : policy.nonRetryableExitCodes;
    for (var pod : failedPods) {
      for (var code : exitCodes(pod).toList()) {
        if (nonRetryable.contains(code)) {
          return new Verdict.Fail(Reasons.NON_RETRYABLE_EXIT, String.format(Reasons.MSG_NON_RETRYABLE, pod.getMetadata().getName(), code));
        }
      }
    }
    var cause = cause(job, failedPods);
    int maxRestarts = policy.maxRestarts == null ? 0 : policy.maxRestarts;
    if (restarts >= maxRestarts) {
      return new Verdict.Fail(Reasons.RESTARTS_EXHAUSTED, String.format(Reasons.MSG_RESTARTS_EXHAUSTED, attempt, cause, restarts, maxRestarts));
    }
    return new Verdict.Restart(cause);
  }

  /** Why the gang broke, for people: the first failed worker and its exit, else the Job's condition. */
  public static String cause(Job job, List<Pod> failedPods) {
    for (var pod : failedPods) {
      var terminated = containerStatuses(pod)
          .map(s -> s.getState() != null && s.getState().getTerminated() != null ? s.getState().getTerminated() : null)
          .filter(Objects::nonNull)
          .findFirst();
      if (terminated.isPresent()) {
        var t = terminated.get();
        return "worker " + pod.getMetadata().getName() + " exited with code " + t.getExitCode()
            + (t.getReason() == null ? "" : " (" + t.getReason() + ")");
      }
      var reason = pod.getStatus().getReason();
      return "worker " + pod.getMetadata().getName() + " failed" + (reason == null ? "" : " (" + reason + ")");
    }
    if (job.getStatus() != null && job.getStatus().getConditions() != null) {
      for (var condition : job.getStatus().getConditions()) {
        if ("Failed".equals(condition.getType()) && "True".equals(condition.getStatus())) {
          return "Job " + job.getMetadata().getName() + " failed: "
              + (condition.getReason() == null ? "" : condition.getReason()) + (condition.getMessage() == null ? "" : " " + condition.getMessage());
        }
      }
    }
    return "Job " + job.getMetadata().getName() + " has a failed worker";
  }

  static Stream<Integer> exitCodes(Pod pod) {
    return containerStatuses(pod)
        .map(s -> s.getState() != null && s.getState().getTerminated() != null ? s.getState().getTerminated().getExitCode() : null)
        .filter(Objects::nonNull);
  }

  private static Stream<ContainerStatus> containerStatuses(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
        ? Stream.empty()
        : pod.getStatus().getContainerStatuses().stream();
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  public static boolean hasCondition(Job job, String type) {
    return job.getStatus() != null && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
