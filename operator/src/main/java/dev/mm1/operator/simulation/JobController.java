package dev.mm1.operator.simulation;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Job controller (Kubernetes 1.31+) for what our Jobs use: Indexed completion, parallelism,
 * suspend, {@code backoffLimit} and a {@code podFailurePolicy} (FailJob, Ignore, Count rules in
 * order). Pods are made from the template with the completion index as label and annotation, the
 * host name {@code <job>-<index>}, a controller owner reference and the
 * {@code batch.kubernetes.io/job-tracking} finalizer, which is removed only after the pod's end is
 * counted in the Job's status. A failure first sets {@code FailureTarget}, then the controller
 * deletes the Job's other pods and sets {@code Failed} only when none is left running or
 * terminating (older releases set Failed at once: {@link #failBeforePodsTerminate}); success is
 * {@code SuccessCriteriaMet}, then {@code Complete}. A pod the API server refuses is a
 * {@code FailedCreate} event on the Job.
 */
final class JobController {
  static final String TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
  static final String JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
  static final String CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";
  static final String INDEX_LABEL = "batch.kubernetes.io/job-completion-index";
  static final String FAILURE_TARGET = "FailureTarget";
  static final String SUCCESS_CRITERIA_MET = "SuccessCriteriaMet";

  private final KubernetesClient client;
  private final Map<String, String> reportedFailedCreate = new HashMap<>();
  volatile boolean failBeforePodsTerminate;

  JobController(KubernetesClient client) {
    this.client = client;
  }

  void sync(Snapshot snapshot) {
    var jobUids = snapshot.jobs.stream().filter(j -> !Snapshot.marked(j)).map(j -> j.getMetadata().getUid()).collect(Collectors.toSet());
    for (var job : snapshot.jobs) {
      if (!Snapshot.marked(job)) {
        syncJob(job, snapshot.podsOf(job).toList(), snapshot);
      }
    }
    // Pods of a Job that is gone or being deleted: nothing will count them, so their finalizer goes once they ended.
    for (var pod : snapshot.pods) {
      if (!jobUids.contains(Snapshot.controllerUid(pod)) && Snapshot.terminal(pod) && Snapshot.hasFinalizer(pod, TRACKING_FINALIZER)) {
        removeFinalizer(pod, snapshot);
      }
    }
  }

  private void syncJob(Job job, List<Pod> pods, Snapshot snapshot) {
    var spec = job.getSpec();
    int completions = spec.getCompletions() == null ? 1 : spec.getCompletions();
    int parallelism = spec.getParallelism() == null ? 1 : spec.getParallelism();
    int backoffLimit = spec.getBackoffLimit() == null ? 6 : spec.getBackoffLimit();
    var previous = job.getStatus() == null ? new JobStatus() : job.getStatus();
    var status = client.getKubernetesSerialization().clone(previous);
    var conditions = new ArrayList<>(status.getConditions() == null ? List.<JobCondition>of() : status.getConditions());
    status.setConditions(conditions);
    var time = snapshot.now.truncatedTo(ChronoUnit.SECONDS).toString();

    // Pods that ended and are not counted yet (they still hold the tracking finalizer), oldest first.
    var ended = pods.stream().filter(p -> Snapshot.terminal(p) && Snapshot.hasFinalizer(p, TRACKING_FINALIZER) && !snapshot.touched(p))
        .sorted(Comparator.comparing(JobController::finishedAt)).toList();
    int failed = status.getFailed() == null ? 0 : status.getFailed();
    var completed = indexes(status.getCompletedIndexes());
    String failJob = null;
    for (var pod : ended) {
      if ("Succeeded".equals(pod.getStatus().getPhase())) {
        index(pod).ifPresent(completed::add);
        continue;
      }
      var action = action(spec.getPodFailurePolicy() == null ? List.of() : spec.getPodFailurePolicy().getRules(), pod);
      if (!action.kind().equals("Ignore")) {
        failed++;
      }
      if (action.kind().equals("FailJob") && failJob == null) {
        failJob = action.message();
      }
    }
    boolean finished = isTrue(conditions, "Complete") || isTrue(conditions, "Failed");
    if (!finished && !isTrue(conditions, FAILURE_TARGET) && !isTrue(conditions, SUCCESS_CRITERIA_MET)) {
      if (failJob != null) {
        set(conditions, FAILURE_TARGET, "PodFailurePolicy", failJob, time);
      } else if (failed > backoffLimit) {
        set(conditions, FAILURE_TARGET, "BackoffLimitExceeded", "Job has reached the specified backoff limit", time);
      } else if (completed.size() >= completions) {
        set(conditions, SUCCESS_CRITERIA_MET, "CompletionsReached", "Reached expected number of succeeded pods", time);
      }
    }

    var active = pods.stream().filter(p -> !Snapshot.terminal(p) && !Snapshot.marked(p)).toList();
    var terminating = pods.stream().filter(p -> !Snapshot.terminal(p) && Snapshot.marked(p)).toList();
    var kill = new ArrayList<Pod>();
    var create = new ArrayList<Integer>();
    var failure = condition(conditions, FAILURE_TARGET);
    if (finished) {
      kill.addAll(active);
    } else if (failure.isPresent() || isTrue(conditions, SUCCESS_CRITERIA_MET)) {
      kill.addAll(active);
      if ((active.isEmpty() && terminating.isEmpty()) || (failure.isPresent() && failBeforePodsTerminate)) {
        if (failure.isPresent()) {
          set(conditions, "Failed", failure.get().getReason(), failure.get().getMessage(), time);
        } else {
          set(conditions, "Complete", "CompletionsReached", "Reached expected number of succeeded pods", time);
          status.setCompletionTime(time);
        }
      }
    } else if (Boolean.TRUE.equals(spec.getSuspend())) {
      kill.addAll(active);
      if (!isTrue(conditions, "Suspended")) {
        set(conditions, "Suspended", "JobSuspended", "Job suspended", time);
      }
    } else {
      if (isTrue(conditions, "Suspended")) {
        setFalse(conditions, "Suspended", "JobResumed", "Job resumed", time);
      }
      // A replacement for an index is made only once its previous pod ended (podReplacementPolicy Failed).
      int running = active.size() + terminating.size();
      for (int index = 0; index < completions && running < parallelism; index++) {
        int i = index;
        if (!completed.contains(i) && Stream.concat(active.stream(), terminating.stream()).noneMatch(p -> index(p).orElse(-1) == i)) {
          create.add(i);
          running++;
        }
      }
    }

    int created = 0;
    for (var index : create) {
      if (createPod(job, index)) {
        created++;
      }
    }
    if (status.getStartTime() == null && (created > 0 || !active.isEmpty())) {
      status.setStartTime(time);
    }
    var alive = active.stream().filter(p -> !kill.contains(p)).toList();
    status.setActive(alive.size() + created);
    status.setReady((int) alive.stream().filter(JobController::ready).count());
    status.setTerminating(terminating.size() + kill.size());
    status.setFailed(failed);
    status.setSucceeded(completed.size());
    status.setCompletedIndexes(ranges(completed));
    if (!client.getKubernetesSerialization().asJson(status).equals(client.getKubernetesSerialization().asJson(previous))) {
      var updated = client.getKubernetesSerialization().clone(job);
      updated.setStatus(status);
      ignoreGone(() -> client.resource(updated).updateStatus());
    }
    // The failed Job's remaining pods are killed after its status says why; the ended ones are counted, so their finalizer goes.
    kill.stream().filter(snapshot::touch).forEach(p -> ignoreGone(() -> client.resource(p).delete()));
    ended.forEach(p -> removeFinalizer(p, snapshot));
  }

  private boolean createPod(Job job, int index) {
    var meta = job.getMetadata();
    var template = client.getKubernetesSerialization().clone(job.getSpec().getTemplate());
    var labels = new LinkedHashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
        ? Map.<String, String>of() : template.getMetadata().getLabels());
    labels.put(INDEX_LABEL, Integer.toString(index));
    labels.put(JOB_NAME_LABEL, meta.getName());
    labels.put(CONTROLLER_UID_LABEL, meta.getUid());
    var annotations = new LinkedHashMap<>(template.getMetadata() == null || template.getMetadata().getAnnotations() == null
        ? Map.<String, String>of() : template.getMetadata().getAnnotations());
    annotations.put(INDEX_LABEL, Integer.toString(index));
    var podSpec = template.getSpec();
    podSpec.setHostname(meta.getName() + "-" + index);
    podSpec.getContainers().forEach(c -> c.getEnv().add(new EnvVarBuilder().withName("JOB_COMPLETION_INDEX")
        .withNewValueFrom().withNewFieldRef().withFieldPath("metadata.labels['" + INDEX_LABEL + "']").endFieldRef().endValueFrom().build()));
    var pod = new PodBuilder()
        .withNewMetadata()
        .withName(meta.getName() + "-" + index + "-" + UUID.randomUUID().toString().substring(0, 5))
        .withNamespace(meta.getNamespace())
        .withLabels(labels)
        .withAnnotations(annotations)
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job").withName(meta.getName())
            .withUid(meta.getUid()).withController(true).withBlockOwnerDeletion(true).build())
        .withFinalizers(TRACKING_FINALIZER)
        .endMetadata()
        .withSpec(podSpec)
        .withNewStatus().withPhase("Pending").endStatus()
        .build();
    try {
      client.resource(pod).create();
      reportedFailedCreate.remove(meta.getUid());
      return true;
    } catch (KubernetesClientException e) {
      var message = "Error creating: " + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage());
      if (!message.equals(reportedFailedCreate.put(meta.getUid(), message))) {
        var time = java.time.Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        ignoreGone(() -> client.v1().events().inNamespace(meta.getNamespace()).resource(new EventBuilder()
            .withNewMetadata().withName(meta.getName() + "." + UUID.randomUUID().toString().substring(0, 8)).withNamespace(meta.getNamespace()).endMetadata()
            .withNewInvolvedObject().withApiVersion("batch/v1").withKind("Job").withName(meta.getName())
            .withNamespace(meta.getNamespace()).withUid(meta.getUid()).endInvolvedObject()
            .withType("Warning").withReason("FailedCreate").withMessage(message)
            .withFirstTimestamp(time).withLastTimestamp(time).withCount(1)
            .withNewSource().withComponent("job-controller").endSource()
            .build()).create());
      }
      return false;
    }
  }

  private void removeFinalizer(Pod pod, Snapshot snapshot) {
    if (!snapshot.touch(pod)) {
      return;
    }
    var updated = client.getKubernetesSerialization().clone(pod);
    updated.getMetadata().setFinalizers(pod.getMetadata().getFinalizers().stream().filter(f -> !f.equals(TRACKING_FINALIZER)).toList());
    ignoreGone(() -> client.resource(updated).update());
  }

  /** A podFailurePolicy verdict on one failed pod: FailJob (with the controller's message), Ignore or Count. */
  record Action(String kind, String message) {}

  static Action action(List<PodFailurePolicyRule> rules, Pod pod) {
    for (int i = 0; i < rules.size(); i++) {
      var rule = rules.get(i);
      var onCodes = rule.getOnExitCodes();
      if (onCodes != null) {
        for (var container : containerStatuses(pod)) {
          var terminated = container.getState() == null ? null : container.getState().getTerminated();
          if ((onCodes.getContainerName() != null && !onCodes.getContainerName().equals(container.getName()))
              || terminated == null || terminated.getExitCode() == null || terminated.getExitCode() == 0) {
            continue;
          }
          if ("In".equals(onCodes.getOperator()) == onCodes.getValues().contains(terminated.getExitCode())) {
            return new Action(rule.getAction(), String.format("Container %s for pod %s/%s failed with exit code %d matching %s rule at index %d",
                container.getName(), pod.getMetadata().getNamespace(), pod.getMetadata().getName(), terminated.getExitCode(), rule.getAction(), i));
          }
        }
      }
      if (rule.getOnPodConditions() != null) {
        for (var pattern : rule.getOnPodConditions()) {
          var wanted = pattern.getStatus() == null ? "True" : pattern.getStatus();
          boolean has = pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
              .anyMatch(c -> Objects.equals(c.getType(), pattern.getType()) && wanted.equals(c.getStatus()));
          if (has) {
            return new Action(rule.getAction(), String.format("Pod %s/%s has condition %s matching %s rule at index %d",
                pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pattern.getType(), rule.getAction(), i));
          }
        }
      }
    }
    return new Action("Count", null);
  }

  static Optional<Integer> index(Pod pod) {
    var labels = pod.getMetadata().getLabels();
    try {
      return labels == null || labels.get(INDEX_LABEL) == null ? Optional.empty() : Optional.of(Integer.parseInt(labels.get(INDEX_LABEL)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static String finishedAt(Pod pod) {
    return containerStatuses(pod).stream().map(c -> c.getState() == null || c.getState().getTerminated() == null ? null
        : c.getState().getTerminated().getFinishedAt()).filter(Objects::nonNull).findFirst().orElse("");
  }

  private static List<ContainerStatus> containerStatuses(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? List.of() : pod.getStatus().getContainerStatuses();
  }

  private static TreeSet<Integer> indexes(String ranges) {
    var indexes = new TreeSet<Integer>();
    if (ranges != null && !ranges.isBlank()) {
      for (var part : ranges.split(",")) {
        var bounds = Arrays.stream(part.split("-")).map(Integer::parseInt).toList();
        for (int i = bounds.getFirst(); i <= bounds.getLast(); i++) {
          indexes.add(i);
        }
      }
    }
    return indexes;
  }

  /** "0-2,5": completed indexes as the Job controller writes them. */
  private static String ranges(TreeSet<Integer> indexes) {
    var parts = new ArrayList<String>();
    Integer start = null;
    Integer last = null;
    for (var i : indexes) {
      if (start != null && i != last + 1) {
        parts.add(start.equals(last) ? start.toString() : start + "-" + last);
        start = null;
      }
      if (start == null) {
        start = i;
      }
      last = i;
    }
    if (start != null) {
      parts.add(start.equals(last) ? start.toString() : start + "-" + last);
    }
    return parts.isEmpty() ? null : String.join(",", parts);
  }

  private static boolean isTrue(List<JobCondition> conditions, String type) {
    return condition(conditions, type).isPresent();
  }

  private static Optional<JobCondition> condition(List<JobCondition> conditions, String type) {
    return conditions.stream().filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
  }

  private static void set(List<JobCondition> conditions, String type, String reason, String message, String time) {
    put(conditions, type, "True", reason, message, time);
  }

  private static void setFalse(List<JobCondition> conditions, String type, String reason, String message, String time) {
    put(conditions, type, "False", reason, message, time);
  }

  private static void put(List<JobCondition> conditions, String type, String status, String reason, String message, String time) {
    conditions.removeIf(c -> type.equals(c.getType()));
    conditions.add(new JobConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastProbeTime(time).withLastTransitionTime(time).build());
  }

  /** A write that found its object gone or changed meanwhile: the next pass sees the news and decides again. */
  static void ignoreGone(Runnable write) {
    written(write);
  }

  /** The same, saying whether the write went through. */
  static boolean written(Runnable write) {
    try {
      write.run();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409) {
        throw e;
      }
      return false;
    }
  }
}
