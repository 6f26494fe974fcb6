package dev.mm1.operator.simulation;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The kubelet of every node: starts a bound pod's containers (Pending → Running and Ready, or stuck
 * Pending when its image cannot be pulled), ends them when the workload exits (Failed or Succeeded
 * with the container's exit code), and terminates a pod marked for deletion: SIGTERM, the
 * container's exit (143) or, past the grace period, SIGKILL (137), then the terminal phase. The pod
 * object itself goes when its last finalizer does (the Job controller's). A deleted pod that was never
 * scheduled is failed as the pod garbage collector does it.
 */
final class Kubelet {
  private final KubernetesClient client;
  private final Workloads workloads;
  /** When each terminating pod got SIGTERM, by UID. */
  private final Map<String, Instant> signalled = new ConcurrentHashMap<>();
  private final Consumer<Pod> onEnded;

  Kubelet(KubernetesClient client, Workloads workloads, Consumer<Pod> onEnded) {
    this.client = client;
    this.workloads = workloads;
    this.onEnded = onEnded;
  }

  void sync(Snapshot snapshot) {
    for (var pod : snapshot.pods) {
      if (pod.getSpec().getNodeName() == null && Snapshot.marked(pod) && !Snapshot.terminal(pod) && !snapshot.touched(pod)) {
        // No kubelet ever ran it: the pod garbage collector fails a deleted pod that was never scheduled.
        end(pod, new Workloads.Exit(137, "ContainerStatusUnknown"), snapshot);
        continue;
      }
      if (pod.getSpec().getNodeName() == null || Snapshot.terminal(pod) || snapshot.touched(pod)) {
        continue;
      }
      if (Snapshot.marked(pod)) {
        terminate(pod, snapshot);
      } else if (!"Running".equals(pod.getStatus().getPhase())) {
        start(pod, snapshot);
      } else {
        // The exit is used up only once the pod's status says so (a conflicting write is tried again next pass).
        workloads.exit(pod).filter(exit -> end(pod, exit, snapshot)).ifPresent(exit -> workloads.exited(pod));
      }
    }
  }

  private void start(Pod pod, Snapshot snapshot) {
    var container = pod.getSpec().getContainers().getFirst();
    var time = timestamp(snapshot.now);
    var pullError = workloads.pullError(pod);
    if (pullError.isPresent()) {
      // ErrImagePull first, then the back-off the kubelet reports while it retries.
      var current = containerStatus(pod);
      var waiting = current == null || current.getState() == null || current.getState().getWaiting() == null ? null
          : current.getState().getWaiting().getReason();
      var next = waiting == null ? "ErrImagePull" : "ImagePullBackOff";
      if (!next.equals(waiting)) {
        snapshot.touch(pod);
        var updated = copy(pod);
        updated.getStatus().setContainerStatuses(java.util.List.of(new ContainerStatusBuilder().withName(container.getName())
            .withImage(container.getImage()).withReady(false).withRestartCount(0)
            .withState(new ContainerStateBuilder().withNewWaiting().withReason(next)
                .withMessage("failed to pull image \"" + container.getImage() + "\": " + pullError.get()).endWaiting().build()).build()));
        JobController.ignoreGone(() -> client.resource(updated).updateStatus());
      }
      return;
    }
    snapshot.touch(pod);
    var updated = copy(pod);
    var status = updated.getStatus();
    status.setPhase("Running");
    status.setStartTime(time);
    status.setHostIP("10.0.0.1");
    status.setPodIP("10.1." + (Math.abs(pod.getMetadata().getUid().hashCode()) % 250) + "." + (1 + Math.abs(pod.getMetadata().getName().hashCode()) % 250));
    status.setContainerStatuses(java.util.List.of(new ContainerStatusBuilder().withName(container.getName()).withImage(container.getImage())
        .withReady(true).withStarted(true).withRestartCount(0)
        .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(time).endRunning().build()).build()));
    for (var type : new String[] {"Initialized", "ContainersReady", "Ready"}) {
      updated = Scheduler.withCondition(updated, new PodConditionBuilder().withType(type).withStatus("True").withLastTransitionTime(time).build());
    }
    var started = updated;
    JobController.ignoreGone(() -> client.resource(started).updateStatus());
  }

  /** SIGTERM once; the container exits after its stop delay, or is killed when the grace period ends. */
  private void terminate(Pod pod, Snapshot snapshot) {
    if (!"Running".equals(pod.getStatus().getPhase())) {
      end(pod, new Workloads.Exit(137, "ContainerStatusUnknown"), snapshot); // nothing was running: no SIGTERM to wait for
      return;
    }
    var sigterm = signalled.computeIfAbsent(pod.getMetadata().getUid(), uid -> snapshot.now);
    var grace = Duration.ofSeconds(pod.getMetadata().getDeletionGracePeriodSeconds() != null ? pod.getMetadata().getDeletionGracePeriodSeconds()
        : pod.getSpec().getTerminationGracePeriodSeconds() != null ? pod.getSpec().getTerminationGracePeriodSeconds() : 30);
    var stop = workloads.stopDelay(pod);
    boolean killed = stop.compareTo(grace) > 0;
    var due = sigterm.plus(killed ? grace : stop);
    if (snapshot.now.isBefore(due)) {
      snapshot.wakeAt(due);
      return;
    }
    if (end(pod, killed ? new Workloads.Exit(137, "Error") : new Workloads.Exit(143, "Error"), snapshot)) {
      signalled.remove(pod.getMetadata().getUid());
    }
  }

  /** Writes the terminated container and the terminal phase; false when the write did not go through. */
  private boolean end(Pod pod, Workloads.Exit exit, Snapshot snapshot) {
    snapshot.touch(pod);
    var time = timestamp(snapshot.now);
    var updated = copy(pod);
    var current = containerStatus(pod);
    var container = pod.getSpec().getContainers().getFirst();
    var started = current == null || current.getState() == null || current.getState().getRunning() == null ? time
        : current.getState().getRunning().getStartedAt();
    updated.getStatus().setPhase(exit.code() == 0 ? "Succeeded" : "Failed");
    updated.getStatus().setContainerStatuses(java.util.List.of(new ContainerStatusBuilder().withName(container.getName())
        .withImage(container.getImage()).withReady(false).withStarted(false).withRestartCount(0)
        .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(exit.code()).withReason(exit.reason())
            .withStartedAt(started).withFinishedAt(time).endTerminated().build()).build()));
    for (var type : new String[] {"ContainersReady", "Ready"}) {
      updated = Scheduler.withCondition(updated, new PodConditionBuilder().withType(type).withStatus("False")
          .withReason("PodCompleted").withLastTransitionTime(time).build());
    }
    var ended = updated;
    if (!JobController.written(() -> client.resource(ended).updateStatus())) {
      return false;
    }
    onEnded.accept(ended);
    return true;
  }

  private static ContainerStatus containerStatus(Pod pod) {
    var statuses = pod.getStatus().getContainerStatuses();
    return statuses == null || statuses.isEmpty() ? null : statuses.getFirst();
  }

  private static Pod copy(Pod pod) {
    return new io.fabric8.kubernetes.api.model.PodBuilder(pod).build();
  }

  private static String timestamp(Instant now) {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
