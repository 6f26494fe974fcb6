package dev.mm1.operator;

import static org.awaitility.Awaitility.await;

import dev.mm1.api.v1alpha1.MM1Training;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** What a test does to the mock API server in place of users, the Job controller and the kubelet. */
public final class Cluster {
  public static final Path SAMPLES = Path.of("../manifests/samples");
  public static final String NS = "default";

  private final KubernetesClient client;

  public Cluster(KubernetesClient client) {
    this.client = client;
    // The Secret worker pods report with: without it the operator holds the gang back.
    client.secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName("mm1-control-plane-token").withNamespace(NS).endMetadata()
        .addToStringData("token", "worker-token").addToData("token", "d29ya2VyLXRva2Vu").build()).createOr(r -> r.update());
  }

  /**
   * The garbage collector after a foreground delete: the pods of every Job of {@code parent} that is
   * gone are deleted too (the mock API server deletes the Job at once and leaves its pods).
   */
  public void collectGarbage(String parent) {
    var jobs = jobs(parent).stream().map(j -> j.getMetadata().getName()).toList();
    client.pods().inNamespace(NS).withLabel(Labels.PARENT_NAME, parent).list().getItems().stream()
        .filter(p -> jobs.stream().noneMatch(j -> p.getMetadata().getName().startsWith(j + "-")))
        .forEach(p -> client.pods().inNamespace(NS).withName(p.getMetadata().getName()).delete());
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

  /** The kubelet: a worker pod of {@code job} at {@code index}, running and ready. */
  public void runWorkers(Job job) {
    int nodes = job.getSpec().getCompletions();
    for (int index = 0; index < nodes; index++) {
      client.pods().inNamespace(NS).resource(pod(job, index, "Running", null)).create();
    }
    setJobStatus(job, s -> s.withActive(nodes).withReady(nodes));
  }

  /** A node loss or crash: worker {@code index} failed with {@code exitCode}, and so the Job (backoffLimit 0). */
  public void failWorker(Job job, int index, int exitCode) {
    client.pods().inNamespace(NS).resource(pod(job, index, "Failed", exitCode)).createOr(r -> r.update());
    setJobStatus(job, s -> s.withFailed(1).withActive(0).withReady(0).withConditions(new JobConditionBuilder()
        .withType("Failed").withStatus("True").withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit").build()));
  }

  public void completeJob(Job job) {
    int nodes = job.getSpec().getCompletions();
    setJobStatus(job, s -> s.withSucceeded(nodes).withActive(0).withReady(0)
        .withConditions(new JobConditionBuilder().withType("Complete").withStatus("True").build()));
  }

  private void setJobStatus(Job job, Consumer<io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder> edit) {
    var current = client.batch().v1().jobs().inNamespace(NS).withName(job.getMetadata().getName()).get();
    if (current == null) {
      return; // the operator already reacted to the failed pod and deleted the Job
    }
    var builder = new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder(
        current.getStatus() == null ? new io.fabric8.kubernetes.api.model.batch.v1.JobStatus() : current.getStatus());
    edit.accept(builder);
    current.setStatus(builder.build());
    try {
      client.batch().v1().jobs().inNamespace(NS).resource(current).updateStatus();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  private static Pod pod(Job job, int index, String phase, Integer exitCode) {
    var labels = new java.util.HashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
    labels.put(Labels.COMPLETION_INDEX, Integer.toString(index));
    var builder = new PodBuilder()
        .withNewMetadata().withName(job.getMetadata().getName() + "-" + index).withNamespace(NS).withLabels(labels).endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .withNewStatus().withPhase(phase)
        .addNewCondition().withType("Ready").withStatus("Running".equals(phase) ? "True" : "False").endCondition();
    if (exitCode != null) {
      builder.addNewContainerStatus().withName("trainer").withNewState().withNewTerminated().withExitCode(exitCode)
          .withReason(exitCode == 137 ? "OOMKilled" : "Error").endTerminated().endState().endContainerStatus();
    }
    return builder.endStatus().build();
  }

  public static void eventually(Runnable assertion) {
    await().ignoreExceptions().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(assertion::run);
  }
}
