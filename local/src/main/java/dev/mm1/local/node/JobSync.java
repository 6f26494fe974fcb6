package dev.mm1.local.node;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What the Job controller does with one Job, as a pure function of the Job and its pods: the
 * status to write, the pods to create and to delete, and the events to record. It follows the
 * Kubernetes 1.31+ Job controller for what our Jobs use:
 * <ul>
 *   <li>Indexed and NonIndexed completion, parallelism, {@code suspend};
 *   <li>failed pods judged by the {@code podFailurePolicy} rules in order (FailJob, Ignore, Count),
 *       the rest counted against {@code backoffLimit};
 *   <li>a failing Job gets {@code FailureTarget} at once, its running pods are deleted, and
 *       {@code Failed} is added only when no pod is left running or terminating; success likewise
 *       ({@code SuccessCriteriaMet}, then {@code Complete});
 *   <li>a replacement pod for an index is made only when its previous pod is fully terminal (the
 *       {@code podReplacementPolicy: Failed} that a podFailurePolicy implies).
 * </ul>
 */
final class JobSync {
  static final String INDEX_LABEL = "batch.kubernetes.io/job-completion-index";
  static final String FAILURE_TARGET = "FailureTarget";
  static final String SUCCESS_CRITERIA_MET = "SuccessCriteriaMet";

  private JobSync() {}

  /** An event to record on the Job. */
  record Event(String type, String reason, String message) {}

  /**
   * What to do.
   *
   * @param status the Job's status after this sync
   * @param createIndexes completion indexes that need a new pod (Indexed Jobs)
   * @param createCount pods to create (NonIndexed Jobs)
   * @param delete pods to delete
   * @param events events to record
   */
  record Plan(JobStatus status, List<Integer> createIndexes, int createCount, List<Pod> delete, List<Event> events) {}

  static Plan plan(Job job, List<Pod> pods, Instant now) {
    var spec = job.getSpec();
    int completions = spec.getCompletions() == null ? 1 : spec.getCompletions();
    int parallelism = spec.getParallelism() == null ? 1 : spec.getParallelism();
    int backoffLimit = spec.getBackoffLimit() == null ? 6 : spec.getBackoffLimit();
    boolean indexed = "Indexed".equals(spec.getCompletionMode());
    var previous = job.getStatus() == null ? new JobStatus() : job.getStatus();
    var conditions = new ArrayList<JobCondition>(previous.getConditions() == null ? List.of() : previous.getConditions());
    var events = new ArrayList<Event>();
    var delete = new ArrayList<Pod>();
    var timestamp = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();

    var terminating = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() != null && !terminal(p)).toList();
    var active = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null && !terminal(p)).toList();
    var succeeded = pods.stream().filter(p -> "Succeeded".equals(phase(p))).toList();
    var failed = pods.stream().filter(p -> "Failed".equals(phase(p))).sorted(Comparator.comparing(JobSync::finishedAt)).toList();

    int counted = 0;
    String failJob = null;
    for (var pod : failed) {
      var action = action(spec.getPodFailurePolicy() == null ? List.of() : spec.getPodFailurePolicy().getRules(), pod);
      switch (action.kind()) {
        case "FailJob" -> {
          counted++;
          if (failJob == null) {
            failJob = action.message();
          }
        }
        case "Ignore" -> {
          // not counted: the index gets a new pod
        }
        default -> counted++;
      }
    }
    var doneIndexes = new TreeSet<Integer>();
    if (indexed) {
      succeeded.forEach(p -> index(p).ifPresent(doneIndexes::add));
    }
    int succeededCount = indexed ? doneIndexes.size() : succeeded.size();

    var status = new JobStatus();
    status.setConditions(conditions);
    status.setStartTime(previous.getStartTime());
    status.setCompletionTime(previous.getCompletionTime());
    status.setSucceeded(succeededCount);
    status.setFailed(counted);
    status.setTerminating(terminating.size());
    status.setCompletedIndexes(indexed ? ranges(doneIndexes) : null);
    status.setUncountedTerminatedPods(new io.fabric8.kubernetes.api.model.batch.v1.UncountedTerminatedPods());

    boolean finished = isTrue(conditions, "Complete") || isTrue(conditions, "Failed");
    if (finished) {
      delete.addAll(active);
      status.setActive(0);
      status.setReady(0);
      return new Plan(status, List.of(), 0, delete, events);
    }
    if (!isTrue(conditions, FAILURE_TARGET) && !isTrue(conditions, SUCCESS_CRITERIA_MET)) {
      if (Boolean.TRUE.equals(spec.getSuspend())) {
        delete.addAll(active);
        if (!isTrue(conditions, "Suspended")) {
          set(conditions, "Suspended", "True", "JobSuspended", "Job suspended", timestamp);
          events.add(new Event("Normal", "Suspended", "Job suspended"));
        }
        status.setActive(0);
        status.setReady(0);
        status.setStartTime(null);
        return new Plan(status, List.of(), 0, delete, events);
      }
      if (isTrue(conditions, "Suspended")) {
        set(conditions, "Suspended", "False", "JobResumed", "Job resumed", timestamp);
        events.add(new Event("Normal", "Resumed", "Job resumed"));
      }
      if (failJob != null) {
        set(conditions, FAILURE_TARGET, "True", "PodFailurePolicy", failJob, timestamp);
      } else if (counted > backoffLimit) {
        set(conditions, FAILURE_TARGET, "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", timestamp);
      } else if (succeededCount >= completions) {
        set(conditions, SUCCESS_CRITERIA_MET, "True", "CompletionsReached", "Reached expected number of succeeded pods", timestamp);
      }
    }
    var failure = condition(conditions, FAILURE_TARGET);
    if (failure.isPresent() || isTrue(conditions, SUCCESS_CRITERIA_MET)) {
      delete.addAll(active);
      if (active.isEmpty() && terminating.isEmpty()) {
        if (failure.isPresent()) {
          set(conditions, "Failed", "True", failure.get().getReason(), failure.get().getMessage(), timestamp);
          events.add(new Event("Warning", failure.get().getReason(), failure.get().getMessage()));
        } else {
          set(conditions, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", timestamp);
          status.setCompletionTime(timestamp);
          events.add(new Event("Normal", "Completed", "Job completed"));
        }
      }
      status.setActive(0);
      status.setReady(0);
      return new Plan(status, List.of(), 0, delete, events);
    }

    var createIndexes = new ArrayList<Integer>();
    int createCount = 0;
    int running = active.size() + terminating.size();
    if (indexed) {
      for (int index = 0; index < completions && running < parallelism; index++) {
        int i = index;
        boolean busy = doneIndexes.contains(i)
            || active.stream().anyMatch(p -> index(p).orElse(-1) == i) || terminating.stream().anyMatch(p -> index(p).orElse(-1) == i);
        if (!busy) {
          createIndexes.add(i);
          running++;
        }
      }
    } else {
      createCount = Math.max(0, Math.min(parallelism, completions - succeededCount) - running);
    }
    if (status.getStartTime() == null && (!createIndexes.isEmpty() || createCount > 0 || !active.isEmpty())) {
      status.setStartTime(timestamp);
    }
    status.setActive(active.size() + createIndexes.size() + createCount);
    status.setReady((int) active.stream().filter(JobSync::ready).count());
    return new Plan(status, createIndexes, createCount, delete, events);
  }

  /** A podFailurePolicy verdict on one failed pod: FailJob (with the controller's message), Ignore or Count. */
  record Action(String kind, String message) {}

  static Action action(List<PodFailurePolicyRule> rules, Pod pod) {
    for (int i = 0; i < rules.size(); i++) {
      var rule = rules.get(i);
      String matched = null;
      if (rule.getOnExitCodes() != null) {
        var requirement = rule.getOnExitCodes();
        for (var status : containerStatuses(pod)) {
          if (requirement.getContainerName() != null && !requirement.getContainerName().equals(status.getName())) {
            continue;
          }
          var terminated = status.getState() == null ? null : status.getState().getTerminated();
          if (terminated == null || terminated.getExitCode() == null || terminated.getExitCode() == 0) {
            continue;
          }
          boolean in = requirement.getValues() != null && requirement.getValues().contains(terminated.getExitCode());
          if ("In".equals(requirement.getOperator()) == in) {
            matched = String.format("Container %s for pod %s/%s failed with exit code %d matching %s rule at index %d",
                status.getName(), pod.getMetadata().getNamespace(), pod.getMetadata().getName(), terminated.getExitCode(), rule.getAction(), i);
            break;
          }
        }
      }
      if (matched == null && rule.getOnPodConditions() != null) {
        for (var pattern : rule.getOnPodConditions()) {
          var wanted = pattern.getStatus() == null ? "True" : pattern.getStatus();
          boolean has = pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
              .anyMatch(c -> Objects.equals(c.getType(), pattern.getType()) && wanted.equals(c.getStatus()));
          if (has) {
            matched = String.format("Pod %s/%s has condition %s matching %s rule at index %d",
                pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pattern.getType(), rule.getAction(), i);
            break;
          }
        }
      }
      if (matched != null) {
        return new Action(rule.getAction(), matched);
      }
    }
    return new Action("Count", null);
  }

  static Optional<Integer> index(Pod pod) {
    var value = pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get(INDEX_LABEL);
    if (value == null && pod.getMetadata().getLabels() != null) {
      value = pod.getMetadata().getLabels().get(INDEX_LABEL);
    }
    try {
      return value == null ? Optional.empty() : Optional.of(Integer.parseInt(value));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** "0-2,5": the compressed list of completed indexes, as the Job controller writes it. */
  static String ranges(TreeSet<Integer> indexes) {
    if (indexes.isEmpty()) {
      return null;
    }
    var parts = new ArrayList<String>();
    Integer start = null;
    Integer last = null;
    for (var i : indexes) {
      if (start == null) {
        start = i;
      } else if (i != last + 1) {
        parts.add(start.equals(last) ? start.toString() : start + "-" + last);
        start = i;
      }
      last = i;
    }
    parts.add(start.equals(last) ? start.toString() : start + "-" + last);
    return String.join(",", parts);
  }

  static boolean terminal(Pod pod) {
    var phase = phase(pod);
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static String finishedAt(Pod pod) {
    return containerStatuses(pod).stream()
        .map(s -> s.getState() == null || s.getState().getTerminated() == null ? null : s.getState().getTerminated().getFinishedAt())
        .filter(Objects::nonNull).findFirst().orElse("9999");
  }

  private static List<ContainerStatus> containerStatuses(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? List.of() : pod.getStatus().getContainerStatuses();
  }

  static boolean isTrue(List<JobCondition> conditions, String type) {
    return condition(conditions, type).isPresent();
  }

  private static Optional<JobCondition> condition(List<JobCondition> conditions, String type) {
    return conditions.stream().filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
  }

  private static void set(List<JobCondition> conditions, String type, String status, String reason, String message, String time) {
    conditions.removeIf(c -> type.equals(c.getType()));
    conditions.add(new JobConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastProbeTime(time).withLastTransitionTime(time).build());
  }
}
