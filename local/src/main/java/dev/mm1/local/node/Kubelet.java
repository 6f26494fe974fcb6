package dev.mm1.local.node;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mm1.local.apiserver.PodLogs;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The kubelet of the local node: runs each pod bound to it as a local process and reports what
 * happens in the order a kubelet does (Pending with the container waiting while volumes and env are
 * prepared, Running and Ready once the process started, then Succeeded or Failed with the exit
 * code). A pod being deleted gets SIGTERM, SIGKILL after its grace period, its terminal status,
 * and is then removed from the API; a pod that disappears from the API is killed at once.
 * Processes run in their own session (so a Ctrl-C in the terminal reaches {@code ./mm1 up}, which
 * stops them in order) and a container is its whole process group, as a cgroup would be.
 */
final class Kubelet implements PodLogs {
  private static final Logger LOG = Logger.getLogger(Kubelet.class.getName());
  static final String COMPONENT = "kubelet";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final KubernetesClient client;
  private final NodeConfig node;
  private final Ports ports;
  private final Events events;
  private final Runnable wake;
  private final Map<String, ContainerProcess> containers = new ConcurrentHashMap<>();
  /** Pods whose waiting reason was reported, so that it is written once, not on every sync. */
  private final Map<String, String> waiting = new ConcurrentHashMap<>();

  Kubelet(KubernetesClient client, NodeConfig node, Ports ports, Events events, Runnable wake) {
    this.client = client;
    this.node = node;
    this.ports = ports;
    this.events = events;
    this.wake = wake;
  }

  void sync(List<Pod> pods) {
    var present = new HashSet<String>();
    for (var pod : pods) {
      if (!node.name().equals(pod.getSpec().getNodeName())) {
        continue;
      }
      present.add(pod.getMetadata().getUid());
      try {
        sync(pod);
      } catch (KubernetesClientException e) {
        // A conflict or a pod deleted meanwhile: the next sync sees the new state.
        LOG.log(Level.FINE, "syncing pod " + pod.getMetadata().getName(), e);
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "syncing pod " + pod.getMetadata().getName() + " failed", e);
      }
    }
    for (var entry : new ArrayList<>(containers.entrySet())) {
      if (!present.contains(entry.getKey())) {
        // Removed from the API without passing through termination (a forced deletion): kill it now.
        var container = entry.getValue();
        container.kill();
        forget(entry.getKey(), container);
      }
    }
  }

  private void sync(Pod pod) throws IOException {
    var uid = pod.getMetadata().getUid();
    var container = containers.get(uid);
    boolean deleting = pod.getMetadata().getDeletionTimestamp() != null;
    if (JobSync.terminal(pod)) {
      if (container != null && container.alive()) {
        container.kill();
      }
      if (deleting) {
        remove(pod);
      }
      return;
    }
    if (container == null) {
      if (deleting) {
        // Never started: nothing to stop.
        patchStatus(pod, status(pod, "Failed", null, null, "PodCompleted"));
        remove(pod);
        return;
      }
      start(pod);
      return;
    }
    if (container.exited()) {
      if (!container.reported) {
        var code = container.exitCode();
        patchStatus(pod, status(pod, code == 0 ? "Succeeded" : "Failed", container, null, "PodCompleted"));
        container.reported = true;
        if (code != 0) {
          LOG.info(() -> "pod " + pod.getMetadata().getName() + " failed with exit code " + code);
        }
      }
      if (deleting) {
        remove(pod);
      }
      return;
    }
    if (deleting) {
      var grace = pod.getMetadata().getDeletionGracePeriodSeconds() == null ? 30 : pod.getMetadata().getDeletionGracePeriodSeconds();
      if (!container.stopping) {
        container.terminate(Duration.ofSeconds(grace));
        events.normal(pod, COMPONENT, "Killing", "Stopping container " + container.name);
      } else if (container.overdue()) {
        container.kill();
      }
      return;
    }
    if (!container.runningReported) {
      patchStatus(pod, status(pod, "Running", container, null, null));
      container.runningReported = true;
    }
  }

  private void start(Pod pod) throws IOException {
    var prepared = PodSandbox.prepare(pod, node, client, ports);
    var uid = pod.getMetadata().getUid();
    switch (prepared) {
      case PodSandbox.Prepared.Waiting w -> {
        var key = w.reason() + ": " + w.message();
        if (!key.equals(waiting.put(uid, key))) {
          patchStatus(pod, status(pod, "Pending", null, w, null));
          if (!w.reason().equals("ContainerCreating")) {
            events.warning(pod, COMPONENT, w.reason().equals("ErrImagePull") ? "Failed" : w.reason(), w.message());
          } else {
            events.warning(pod, COMPONENT, "FailedMount", w.message());
          }
        }
      }
      case PodSandbox.Prepared.Launch launch -> {
        waiting.remove(uid);
        var name = pod.getSpec().getContainers().getFirst().getName();
        var container = ContainerProcess.start(name, launch, node, pod, wake);
        containers.put(uid, container);
        events.normal(pod, COMPONENT, "Started", "Started container " + name + ": " + String.join(" ", launch.command()));
        patchStatus(pod, status(pod, "Running", container, null, null));
        container.runningReported = true;
      }
    }
  }

  /** The terminal status is written; the kubelet's final delete removes the pod from the API. */
  private void remove(Pod pod) {
    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).withGracePeriod(0).delete();
    var container = containers.get(pod.getMetadata().getUid());
    forget(pod.getMetadata().getUid(), container);
  }

  private void forget(String uid, ContainerProcess container) {
    containers.remove(uid);
    waiting.remove(uid);
    if (container != null) {
      ports.release(container.namespace, container.host);
      try {
        ContainerProcess.deleteTree(container.directory);
      } catch (IOException e) {
        LOG.log(Level.FINE, "removing " + container.directory, e);
      }
    }
  }

  /**
   * Graceful node shutdown: every running pod gets the DisruptionTarget condition (reason
   * TerminationByKubelet) and SIGTERM, SIGKILL after its grace period (at most {@code limit}), and is
   * reported Failed; the pods stay in the API, so that the operator sees why the gang stopped.
   */
  void shutdown(Duration limit) {
    var deadline = Instant.now().plus(limit);
    var stopping = new ArrayList<Map.Entry<String, ContainerProcess>>();
    for (var entry : containers.entrySet()) {
      var container = entry.getValue();
      if (container.alive()) {
        container.terminate(limit);
        stopping.add(entry);
      }
    }
    for (var entry : stopping) {
      var container = entry.getValue();
      container.awaitExit(Duration.between(Instant.now(), deadline));
      if (container.alive()) {
        container.kill();
        container.awaitExit(Duration.ofSeconds(5));
      }
      var pod = client.pods().inNamespace(container.namespace).withName(container.podName).get();
      if (pod != null) {
        var status = status(pod, "Failed", container, null, "PodFailed");
        var conditions = status.withArray("/status/conditions");
        conditions.addObject().put("type", "DisruptionTarget").put("status", "True").put("reason", "TerminationByKubelet")
            .put("message", "Pod was terminated in response to imminent node shutdown.").put("lastTransitionTime", now());
        ((ObjectNode) status.path("status")).put("reason", "Terminated").put("message", "Pod was terminated in response to imminent node shutdown.");
        try {
          patchStatus(pod, status);
        } catch (KubernetesClientException e) {
          LOG.log(Level.WARNING, "reporting pod " + container.podName + " stopped by the node shutdown", e);
        }
      }
    }
  }

  /**
   * Pods that were running here when the node went away without a shutdown (the machine or
   * ./mm1 up was killed): their processes are gone, so they end as the kubelet reports containers it
   * cannot find any more.
   */
  void recover(List<Pod> pods) {
    for (var pod : pods) {
      if (node.name().equals(pod.getSpec().getNodeName()) && !JobSync.terminal(pod) && !containers.containsKey(pod.getMetadata().getUid())
          && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
        var status = status(pod, "Failed", null, null, "PodFailed");
        var statuses = status.withArray("/status/containerStatuses");
        statuses.removeAll();
        var name = pod.getSpec().getContainers().getFirst().getName();
        var terminated = statuses.addObject().put("name", name).put("image", pod.getSpec().getContainers().getFirst().getImage())
            .put("ready", false).put("restartCount", 0).put("started", false).putObject("state").putObject("terminated");
        terminated.put("exitCode", 137).put("reason", "ContainerStatusUnknown")
            .put("message", "The container could not be located when the pod was terminated").put("finishedAt", now());
        patchStatus(pod, status);
      }
    }
  }

  /** A pod status patch as the kubelet writes it. */
  private ObjectNode status(Pod pod, String phase, ContainerProcess container, PodSandbox.Prepared.Waiting waitingFor, String doneReason) {
    var root = JSON.createObjectNode();
    var status = root.putObject("status");
    status.put("phase", phase).put("hostIP", "127.0.0.1").put("podIP", "127.0.0.1");
    status.putArray("hostIPs").addObject().put("ip", "127.0.0.1");
    status.putArray("podIPs").addObject().put("ip", "127.0.0.1");
    var started = pod.getStatus() != null && pod.getStatus().getStartTime() != null ? pod.getStatus().getStartTime() : now();
    status.put("startTime", started);
    boolean running = phase.equals("Running");
    var conditions = status.putArray("conditions");
    conditions.addObject().put("type", "PodReadyToStartContainers").put("status", "True").put("lastTransitionTime", started);
    conditions.addObject().put("type", "Initialized").put("status", "True").put("lastTransitionTime", started);
    var containerName = pod.getSpec().getContainers().getFirst().getName();
    var notReady = running ? null : doneReason != null ? doneReason : "ContainersNotReady";
    var ready = conditions.addObject().put("type", "Ready").put("status", running ? "True" : "False").put("lastTransitionTime", now());
    var containersReady = conditions.addObject().put("type", "ContainersReady").put("status", running ? "True" : "False").put("lastTransitionTime", now());
    if (notReady != null) {
      ready.put("reason", notReady);
      containersReady.put("reason", notReady);
      if (doneReason == null) {
        ready.put("message", "containers with unready status: [" + containerName + "]");
        containersReady.put("message", "containers with unready status: [" + containerName + "]");
      }
    }
    conditions.addObject().put("type", "PodScheduled").put("status", "True").put("lastTransitionTime", started);
    var statuses = status.putArray("containerStatuses");
    var entry = statuses.addObject().put("name", containerName).put("image", pod.getSpec().getContainers().getFirst().getImage())
        .put("imageID", "").put("ready", running).put("restartCount", 0).put("started", running);
    var state = entry.putObject("state");
    if (container == null) {
      var w = state.putObject("waiting");
      if (waitingFor != null) {
        w.put("reason", waitingFor.reason()).put("message", waitingFor.message());
      } else {
        w.put("reason", "ContainerCreating");
      }
    } else {
      entry.put("containerID", "mm1-local://" + container.pid());
      if (running) {
        state.putObject("running").put("startedAt", timestamp(container.started));
      } else {
        int code = container.exited() ? container.exitCode() : 137;
        state.putObject("terminated").put("exitCode", code).put("reason", code == 0 ? "Completed" : "Error")
            .put("startedAt", timestamp(container.started))
            .put("finishedAt", timestamp(container.finished().orElse(Instant.now())))
            .put("containerID", "mm1-local://" + container.pid());
      }
    }
    return root;
  }

  private void patchStatus(Pod pod, ObjectNode patch) {
    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
  }

  @Override
  public Optional<Path> file(String namespace, String pod, String container) {
    var directory = node.pods().resolve(namespace).resolve(pod);
    if (!Files.isDirectory(directory)) {
      return Optional.empty();
    }
    try (var files = Files.list(directory)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".log"))
          .filter(f -> container == null || f.getFileName().toString().equals(container + ".log")).findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean running(String namespace, String pod, String container) {
    return containers.values().stream().anyMatch(c -> c.namespace.equals(namespace) && c.podName.equals(pod) && c.alive());
  }

  private static String now() {
    return timestamp(Instant.now());
  }

  private static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
