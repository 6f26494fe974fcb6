package dev.mm1.operator.simulation;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the containers of the simulated pods do, and what stands in their way, as a test or the
 * benchmark says: by default a container starts, becomes ready and runs until it is told to exit
 * or is sent SIGTERM (then it exits with 143 after {@link #stopDelay}). Pods are addressed by their
 * Job's name and completion index, so a test names the worker, never a generated pod name.
 */
final class Workloads {
  /** A container's end: its exit code and the terminated state's reason. */
  record Exit(int code, String reason) {}

  private final Map<String, Exit> exits = new ConcurrentHashMap<>();
  private final Map<String, Duration> stopDelays = new ConcurrentHashMap<>();
  private final Map<String, String> pullErrors = new ConcurrentHashMap<>();
  private final Map<String, String> unschedulable = new ConcurrentHashMap<>();
  private final Map<String, Disruption> disruptions = new ConcurrentHashMap<>();
  volatile Duration defaultStopDelay = Duration.ofMillis(50);

  /** A pod to be disrupted (preempted, evicted, drained) with the DisruptionTarget condition's reason. */
  record Disruption(String reason, String message) {}

  static String key(String job, int index) {
    return job + "/" + index;
  }

  static String key(Pod pod) {
    var labels = pod.getMetadata().getLabels();
    return labels.get(JobController.JOB_NAME_LABEL) + "/" + labels.get(JobController.INDEX_LABEL);
  }

  static String job(Pod pod) {
    return pod.getMetadata().getLabels().get(JobController.JOB_NAME_LABEL);
  }

  void exit(String job, int index, Exit exit) {
    exits.put(key(job, index), exit);
  }

  /** The exit waiting for this worker's running container. */
  Optional<Exit> exit(Pod pod) {
    return Optional.ofNullable(exits.get(key(pod)));
  }

  /** The container took its exit: used up, so a replacement pod of the same worker runs on. */
  void exited(Pod pod) {
    exits.remove(key(pod));
  }

  void stopDelay(String job, Duration delay) {
    stopDelays.put(job, delay);
  }

  /** How long the container takes to exit after SIGTERM; past the grace period the kubelet kills it (137). */
  Duration stopDelay(Pod pod) {
    return stopDelays.getOrDefault(job(pod), defaultStopDelay);
  }

  void pullError(String job, String reason) {
    pullErrors.put(job, reason);
  }

  Optional<String> pullError(Pod pod) {
    return Optional.ofNullable(pullErrors.get(job(pod)));
  }

  void unschedulable(String job, String message) {
    if (message == null) {
      unschedulable.remove(job);
    } else {
      unschedulable.put(job, message);
    }
  }

  Optional<String> unschedulable(Pod pod) {
    return Optional.ofNullable(unschedulable.get(job(pod)));
  }

  void disrupt(String job, int index, Disruption disruption) {
    disruptions.put(key(job, index), disruption);
  }

  Optional<Disruption> disruption(Pod pod) {
    return Optional.ofNullable(disruptions.get(key(pod)));
  }

  void disrupted(Pod pod) {
    disruptions.remove(key(pod));
  }
}
