package dev.mm1.operator.simulation;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the simulated controllers see in one pass: every Job and pod, and the other objects that own
 * or are owned (for the garbage collector). Jobs are read before pods, so a pod in the snapshot
 * existed after every Job in it was created. Each object is acted on at most once per pass
 * ({@link #touch}); the next pass sees the result.
 */
final class Snapshot {
  /** Our custom resources, named without discovery (the mock API server serves none for them). */
  static final List<ResourceDefinitionContext> CUSTOM_RESOURCES = List.of(
      new ResourceDefinitionContext.Builder().withGroup("mm1.dev").withVersion("v1alpha1").withKind("MM1Training").withPlural("mm1trainings").withNamespaced(true).build(),
      new ResourceDefinitionContext.Builder().withGroup("mm1.dev").withVersion("v1alpha1").withKind("MM1Eval").withPlural("mm1evals").withNamespaced(true).build());

  final Instant now;
  final List<Job> jobs;
  final List<Pod> pods;
  /** Everything that can own or be owned: Jobs, pods, Services, ConfigMaps and our custom resources. */
  final List<HasMetadata> objects;
  private final Set<String> touched = new HashSet<>();
  private Instant wakeAt;

  private Snapshot(Instant now, List<Job> jobs, List<Pod> pods, List<HasMetadata> objects) {
    this.now = now;
    this.jobs = jobs;
    this.pods = pods;
    this.objects = objects;
  }

  static Snapshot read(KubernetesClient client, Instant now) {
    var jobs = client.batch().v1().jobs().inAnyNamespace().list().getItems();
    var pods = client.pods().inAnyNamespace().list().getItems();
    var objects = new ArrayList<HasMetadata>(jobs);
    objects.addAll(pods);
    objects.addAll(client.services().inAnyNamespace().list().getItems());
    objects.addAll(client.configMaps().inAnyNamespace().list().getItems());
    for (var kind : CUSTOM_RESOURCES) {
      objects.addAll(client.genericKubernetesResources(kind).inAnyNamespace().list().getItems());
    }
    return new Snapshot(now, jobs, pods, objects);
  }

  /** Claims {@code object} for one action in this pass; false when another component already acted on it. */
  boolean touch(HasMetadata object) {
    return touched.add(object.getMetadata().getUid());
  }

  boolean touched(HasMetadata object) {
    return touched.contains(object.getMetadata().getUid());
  }

  /** Asks for another pass at {@code time} (a grace period ending, a container exiting). */
  void wakeAt(Instant time) {
    if (wakeAt == null || time.isBefore(wakeAt)) {
      wakeAt = time;
    }
  }

  Instant wakeAt() {
    return wakeAt;
  }

  Stream<Pod> podsOf(Job job) {
    var uid = job.getMetadata().getUid();
    return pods.stream().filter(p -> controllerUid(p).equals(uid));
  }

  static String controllerUid(HasMetadata object) {
    var references = object.getMetadata().getOwnerReferences();
    return references == null ? "" : references.stream().filter(o -> Boolean.TRUE.equals(o.getController()))
        .map(o -> o.getUid()).findFirst().orElse("");
  }

  static boolean marked(HasMetadata object) {
    return object.getMetadata().getDeletionTimestamp() != null;
  }

  static boolean terminal(Pod pod) {
    var phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  static boolean hasFinalizer(HasMetadata object, String finalizer) {
    return object.getMetadata().getFinalizers() != null && object.getMetadata().getFinalizers().contains(finalizer);
  }
}
