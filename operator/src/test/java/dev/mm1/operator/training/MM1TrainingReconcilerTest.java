package dev.mm1.operator.training;

import static dev.mm1.operator.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.PodEnv;
import dev.mm1.api.rest.CheckpointRecord;
import dev.mm1.api.v1alpha1.TrainingPhase;
import dev.mm1.operator.ChildNames;
import dev.mm1.operator.Cluster;
import dev.mm1.operator.ControlPlaneResource;
import dev.mm1.operator.Conditions;
import dev.mm1.operator.Reasons;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(ControlPlaneResource.class)
class MM1TrainingReconcilerTest {
  @Inject KubernetesClient client;
  Cluster cluster;

  @BeforeEach
  void setUp() {
    cluster = new Cluster(client);
  }

  static String env(Job job, String name) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
  }

  @Test
  void createsConfigMapServiceAndIndexedJobAndRegistersTheRun() throws Exception {
    var cr = cluster.apply("tiny-pretrain.yaml", "create", r -> {});
    eventually(() -> assertThat(cluster.jobs("create")).hasSize(1));
    var job = cluster.job(ChildNames.job("create", 1));
    assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
    assertThat(job.getSpec().getParallelism()).isEqualTo(2);
    assertThat(job.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(cr.getMetadata().getUid()));
    assertThat(env(job, PodEnv.MASTER_ADDR)).isEqualTo("create-a1-0.create-workers.default.svc");
    assertThat(env(job, PodEnv.MM1_ATTEMPT)).isEqualTo("1");
    assertThat(cluster.services("create")).singleElement().satisfies(s -> assertThat(s.getSpec().getPublishNotReadyAddresses()).isTrue());
    assertThat(cluster.configMaps("create")).singleElement().satisfies(c -> assertThat(c.getData()).containsKey("config.json"));
    eventually(() -> {
      var status = cluster.training("create").getStatus();
      assertThat(status.phase).isEqualTo(TrainingPhase.Pending);
      assertThat(status.runId).isNotNull();
      assertThat(status.totalWorkers).isEqualTo(2);
    });
    var runId = cluster.training("create").getStatus().runId;
    assertThat(env(cluster.job(ChildNames.job("create", 1)), PodEnv.MM1_RUN_ID)).isEqualTo(runId);
  }

  @Test
  void runningWorkersAndControlPlaneProgressShowInStatus() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "progress", r -> {});
    eventually(() -> assertThat(cluster.jobs("progress")).hasSize(1));
    eventually(() -> assertThat(cluster.training("progress").getStatus().runId).isNotNull());
    var runId = cluster.training("progress").getStatus().runId;
    ControlPlaneResource.controlPlane().progress(runId, 120, 2.5,
        new CheckpointRecord(100, "file:///checkpoints/progress/step-000000100", "ab12", 10, null));
    cluster.runWorkers(cluster.job(ChildNames.job("progress", 1)));
    eventually(() -> {
      var status = cluster.training("progress").getStatus();
      assertThat(status.phase).isEqualTo(TrainingPhase.Running);
      assertThat(status.readyWorkers).isEqualTo(2);
      assertThat(status.step).isEqualTo(120L);
      assertThat(status.loss).isEqualTo(2.5);
      assertThat(status.latestCheckpoint.step).isEqualTo(100L);
      assertThat(Conditions.isTrue(status.conditions, Reasons.READY)).isTrue();
    });
  }

  @Test
  void aFailedWorkerRestartsTheGangAsTheNextAttempt() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "restart", r -> {});
    eventually(() -> assertThat(cluster.jobs("restart")).hasSize(1));
    var first = cluster.job(ChildNames.job("restart", 1));
    cluster.runWorkers(first);
    cluster.failWorker(first, 1, 137);
    eventually(() -> {
      assertThat(cluster.jobs("restart")).extracting(j -> j.getMetadata().getName()).containsExactly(ChildNames.job("restart", 2));
      var status = cluster.training("restart").getStatus();
      assertThat(status.restarts).isEqualTo(1);
      assertThat(status.attempt).isEqualTo(2);
    });
    var second = cluster.job(ChildNames.job("restart", 2));
    assertThat(env(second, PodEnv.MM1_ATTEMPT)).isEqualTo("2");
    assertThat(env(second, PodEnv.MASTER_ADDR)).startsWith("restart-a2-0.");
    assertThat(cluster.events("restart")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo(Reasons.GANG_RESTARTED);
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getMessage()).contains("exited with code 137 (OOMKilled)");
    });
  }

  @Test
  @SuppressWarnings("unchecked")
  void restartsExhaustedFailsTheTraining() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "exhausted", r -> ((Map<String, Object>) r.getAdditionalProperties().get("spec"))
        .put("failurePolicy", Map.of("maxRestarts", 0)));
    eventually(() -> assertThat(cluster.jobs("exhausted")).hasSize(1));
    cluster.failWorker(cluster.job(ChildNames.job("exhausted", 1)), 0, 1);
    eventually(() -> {
      var status = cluster.training("exhausted").getStatus();
      assertThat(status.phase).isEqualTo(TrainingPhase.Failed);
      assertThat(Conditions.hasReason(status.conditions, Reasons.READY, Reasons.RESTARTS_EXHAUSTED)).isTrue();
      assertThat(status.completionTime).isNotNull();
    });
    assertThat(cluster.jobs("exhausted")).extracting(j -> j.getMetadata().getName()).containsExactly(ChildNames.job("exhausted", 1));
  }

  @Test
  void aNonRetryableExitCodeFailsAtOnce() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "config-error", r -> {});
    eventually(() -> assertThat(cluster.jobs("config-error")).hasSize(1));
    cluster.failWorker(cluster.job(ChildNames.job("config-error", 1)), 0, 2);
    eventually(() -> {
      var status = cluster.training("config-error").getStatus();
      assertThat(status.phase).isEqualTo(TrainingPhase.Failed);
      assertThat(status.restarts).isZero();
      assertThat(Conditions.find(status.conditions, Reasons.READY).orElseThrow().getReason()).isEqualTo(Reasons.NON_RETRYABLE_EXIT);
    });
    assertThat(cluster.jobs("config-error")).hasSize(1);
  }
}
