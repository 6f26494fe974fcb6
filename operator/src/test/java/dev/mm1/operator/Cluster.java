package dev.mm1.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.operator.simulation.SimulatedCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a test does as a user (kubectl) of the {@link SimulatedCluster}, and what it tells the
 * simulated workers to do. It acts with the cluster's own client, so its requests are never taken
 * for the operator's in {@link RbacAudit}.
 */
public final class Cluster {
  public static final Path SAMPLES = Path.of("../manifests/samples");
  public static final String NS = "default";

  private final SimulatedCluster simulation;
  private final KubernetesClient client;

  public Cluster(SimulatedCluster simulation) {
    this.simulation = simulation;
    this.client = simulation.client();
    // The Secret worker pods report with: without it the operator holds the gang back.
    client.secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName("mm1-control-plane-token").withNamespace(NS).endMetadata()
        .addToStringData("token", "worker-token").addToData("token", "d29ya2VyLXRva2Vu").build()).createOr(r -> r.update());
  }

  /** Applies a sample as the user wrote it (a generic object, so invalid samples stay invalid), renamed. */
  public GenericKubernetesResource apply(String sample, String name, Consumer<GenericKubernetesResource> edit) throws IOException {
    var yaml = Files.readString(SAMPLES.resolve(sample));
    var resource = client.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    resource.getMetadata().setName(name);
    resource.getMetadata().setNamespace(NS);
    edit.accept(resource);
    return client.genericKubernetesResources(resource.getApiVersion(), resource.getKind()).inNamespace(NS).resource(resource).create();
  }

  public MM1Training training(String name) {
    return client.resources(MM1Training.class).inNamespace(NS).withName(name).get();
  }

  /** What a user's kubectl edit does: read, change the spec, write; again when the operator wrote in between. */
  public void editTraining(String name, Consumer<MM1Training> edit) {
    for (int attempt = 1; ; attempt++) {
      var training = training(name);
      edit.accept(training);
      try {
        client.resource(training).update();
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 20) {
          throw e;
        }
      }
    }
  }

  /** What another controller's edit of a pod does: read, change, write; again when someone wrote in between. */
  public void editPod(String name, java.util.function.UnaryOperator<Pod> edit) {
    for (int attempt = 1; ; attempt++) {
      var pod = client.pods().inNamespace(NS).withName(name).get();
      try {
        client.resource(edit.apply(pod)).update();
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 20) {
          throw e;
        }
      }
    }
  }

  public List<Job> jobs(String parent) {
    return client.batch().v1().jobs().inNamespace(NS).withLabel(Labels.PARENT_NAME, parent).list().getItems();
  }

  public Job job(String name) {
    return client.batch().v1().jobs().inNamespace(NS).withName(name).get();
  }

  public List<Service> services(String parent) {
    return client.services().inNamespace(NS).withLabel(Labels.PARENT_NAME, parent).list().getItems();
  }

  public List<ConfigMap> configMaps(String parent) {
    return client.configMaps().inNamespace(NS).withLabel(Labels.PARENT_NAME, parent).list().getItems();
  }

  public List<Event> events(String about) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> about.equals(e.getInvolvedObject().getName())).toList();
  }

  /** Worker {@code index} of the Job {@code job}: its container exits with {@code exitCode} (137: OOMKilled). */
  public void failWorker(String job, int index, int exitCode) {
    simulation.exit(job, index, exitCode);
  }

  /** Every worker of the Job {@code job} exits 0, so the Job controller completes it. */
  public void completeJob(String job) {
    simulation.complete(job, job(job).getSpec().getCompletions());
  }

  /** The pods of the Job {@code job} (the simulated Job controller's), any phase. */
  public List<Pod> pods(String job) {
    return client.pods().inNamespace(NS).withLabel("batch.kubernetes.io/job-name", job).list().getItems();
  }

  /** The pods of every attempt of {@code parent}. */
  public List<Pod> podsOf(String parent) {
    return client.pods().inNamespace(NS).withLabel(Labels.PARENT_NAME, parent).list().getItems();
  }

  /** The client the test acts with as a user. */
  public KubernetesClient client() {
    return client;
  }

  public SimulatedCluster simulation() {
    return simulation;
  }

  /** Waits until every worker of the Job {@code job} runs and is ready. */
  public void awaitRunning(String job) {
    eventually(() -> {
      var current = job(job);
      assertThat(current.getStatus()).isNotNull();
      assertThat(current.getStatus().getReady()).isEqualTo(current.getSpec().getCompletions());
    });
  }

  public static void eventually(Runnable assertion) {
    await().ignoreExceptions().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(assertion::run);
  }
}
