package dev.mm1.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Why a gang's pods are not ready yet, when Kubernetes says so: a pod the scheduler cannot place, an
 * image that cannot be pulled, a container whose Secret or ConfigMap is missing, or pods the Job
 * controller could not create at all (quota, admission: a FailedCreate event on the Job).
 */
public final class PodProblems {
  private static final Set<String> IMAGE_PULL = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");
  private static final Set<String> CONFIG = Set.of("CreateContainerConfigError", "CreateContainerError", "RunContainerError");
  /** Pods missing for this long after the Job was created make the operator look for FailedCreate events. */
  static final Duration CREATE_GRACE = Duration.ofSeconds(10);

  private PodProblems() {}

  /** A reason for the Ready condition and what to tell the user. */
  public record Problem(String reason, String message) {}

  /** The first problem among the pods of {@code job}, in worker order; empty while things only take time. */
  public static Optional<Problem> find(KubernetesClient client, Job job, List<Pod> pods, int expected, Instant now) {
    for (var pod : pods.stream().sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList()) {
      var status = pod.getStatus();
      if (status == null) {
        continue;
      }
      var name = pod.getMetadata().getName();
      if (status.getConditions() != null) {
        for (var condition : status.getConditions()) {
          if ("PodScheduled".equals(condition.getType()) && "False".equals(condition.getStatus()) && "Unschedulable".equals(condition.getReason())) {
            return Optional.of(new Problem(Reasons.UNSCHEDULABLE, "worker " + name + " cannot be scheduled: " + condition.getMessage()));
          }
        }
      }
      if (status.getContainerStatuses() != null) {
        for (var container : status.getContainerStatuses()) {
          var waiting = container.getState() == null ? null : container.getState().getWaiting();
          if (waiting == null || waiting.getReason() == null) {
            continue;
          }
          var detail = waiting.getReason() + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage());
          if (IMAGE_PULL.contains(waiting.getReason())) {
            return Optional.of(new Problem(Reasons.IMAGE_PULL_FAILED, "worker " + name + " cannot pull image " + container.getImage() + " (" + detail + ")"));
          }
          if (CONFIG.contains(waiting.getReason())) {
            return Optional.of(new Problem(Reasons.CONTAINER_CONFIG_ERROR, "worker " + name + " cannot start its container (" + detail + ")"));
          }
        }
      }
    }
    var created = job.getMetadata().getCreationTimestamp();
    if (pods.size() < expected && !Boolean.TRUE.equals(job.getSpec().getSuspend()) && created != null
        && Instant.parse(created).plus(CREATE_GRACE).isBefore(now)) {
      return failedCreate(client, job).map(e -> new Problem(Reasons.POD_CREATE_FAILED, String.format(
          "%d of %d worker pods exist; the Job controller cannot create the others: %s", pods.size(), expected, e.getMessage())));
    }
    return Optional.empty();
  }

  /** The newest FailedCreate event of the Job (the Job controller reports quota and admission refusals so). */
  private static Optional<Event> failedCreate(KubernetesClient client, Job job) {
    var meta = job.getMetadata();
    return client.v1().events().inNamespace(meta.getNamespace())
        .withField("involvedObject.name", meta.getName())
        .list().getItems().stream()
        .filter(e -> e.getInvolvedObject() != null && meta.getName().equals(e.getInvolvedObject().getName())
            && "Job".equals(e.getInvolvedObject().getKind()) && "FailedCreate".equals(e.getReason()))
        .max(Comparator.comparing(e -> e.getLastTimestamp() == null ? "" : e.getLastTimestamp()));
  }
}
