package dev.mm1.operator.training;

import static dev.mm1.operator.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.PodEnv;
import dev.mm1.api.rest.CheckpointRecord;
import dev.mm1.api.v1alpha1.TrainingPhase;
import dev.mm1.api.ChildNames;
import dev.mm1.operator.Cluster;
import dev.mm1.operator.SimulatedClusterResource;
import dev.mm1.operator.ControlPlaneResource;
import dev.mm1.operator.Conditions;
import dev.mm1.operator.Reasons;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(SimulatedClusterResource.class)
@QuarkusTestResource(ControlPlaneResource.class)
class MM1TrainingReconcilerTest {
  final KubernetesClient client = SimulatedClusterResource.cluster().client();
  Cluster cluster;

  @BeforeEach
  void setUp() {
    cluster = new Cluster(SimulatedClusterResource.cluster());
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
      // The simulated workers start at once: Pending until they are ready, then Running.
      assertThat(status.phase).isIn(TrainingPhase.Pending, TrainingPhase.Running);
      assertThat(status.runId).isNotNull();
      assertThat(status.totalWorkers).isEqualTo(2);
    });
    // The Job may have been made before the run was registered: then it names the run by the CR's UID,
    // which the control plane resolves to the same run.
    var runId = cluster.training("create").getStatus().runId;
    assertThat(env(cluster.job(ChildNames.job("create", 1)), PodEnv.MM1_RUN_ID)).isIn(runId, cr.getMetadata().getUid());
    assertThat(ControlPlaneResource.controlPlane().runOf(cr.getMetadata().getUid()).id()).isEqualTo(runId);
  }

  @Test
  void runningWorkersAndControlPlaneProgressShowInStatus() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "progress", r -> {});
    eventually(() -> assertThat(cluster.jobs("progress")).hasSize(1));
    eventually(() -> assertThat(cluster.training("progress").getStatus().runId).isNotNull());
    var runId = cluster.training("progress").getStatus().runId;
    ControlPlaneResource.controlPlane().progress(runId, 120, 2.5,
        new CheckpointRecord(100, "file:///checkpoints/progress/step-000000100", "ab12", 10, null));
    cluster.awaitRunning(ChildNames.job("progress", 1));
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
  void aSucceededTrainingStillMirrorsTheFinalStepAndCheckpointReportedAfterItsJobEnded() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "final", r -> {});
    eventually(() -> assertThat(cluster.training("final").getStatus().runId).isNotNull());
    var runId = cluster.training("final").getStatus().runId;
    var job = ChildNames.job("final", 1);
    ControlPlaneResource.controlPlane().progress(runId, 250, 2.0,
        new CheckpointRecord(250, "file:///checkpoints/final/step-000000250", "ab12", 10, null));
    eventually(() -> assertThat(cluster.jobs("final")).hasSize(1));
    cluster.awaitRunning(job);
    eventually(() -> assertThat(cluster.training("final").getStatus().latestCheckpoint.step).isEqualTo(250L));
    cluster.completeJob(job);
    eventually(() -> assertThat(cluster.training("final").getStatus().phase).isEqualTo(TrainingPhase.Succeeded));
    // The trainer's last reports arrive after the Job completed.
    ControlPlaneResource.controlPlane().progress(runId, 300, 1.5,
        new CheckpointRecord(300, "file:///checkpoints/final/step-000000300", "cd34", 10, null));
    eventually(() -> {
      var status = cluster.training("final").getStatus();
      assertThat(status.phase).isEqualTo(TrainingPhase.Succeeded);
      assertThat(status.step).isEqualTo(300L);
      assertThat(status.latestCheckpoint.step).isEqualTo(300L);
      assertThat(status.latestCheckpoint.sha256).isEqualTo("cd34");
    });
  }

  @Test
  void aFailedWorkerRestartsTheGangAsTheNextAttempt() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "restart", r -> {});
    eventually(() -> assertThat(cluster.jobs("restart")).hasSize(1));
    cluster.awaitRunning(ChildNames.job("restart", 1));
    cluster.failWorker(ChildNames.job("restart", 1), 1, 137);
    eventually(() -> {
      assertThat(cluster.jobs("restart")).extracting(j -> j.getMetadata().getName()).containsExactly(ChildNames.job("restart", 2));
      var status = cluster.training("restart").getStatus();
      assertThat(status.restarts).isEqualTo(1);
      assertThat(status.attempt).isEqualTo(2);
    });
    var second = cluster.job(ChildNames.job("restart", 2));
    assertThat(env(second, PodEnv.MM1_ATTEMPT)).isEqualTo("2");
    assertThat(env(second, PodEnv.MASTER_ADDR)).startsWith("restart-a2-0.");
    // Events follow the status write.
    eventually(() -> assertThat(cluster.events("restart")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo(Reasons.GANG_RESTARTED);
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getMessage()).contains("exited with code 137 (OOMKilled)");
    }));
  }

  @Test
  @SuppressWarnings("unchecked")
  void restartsExhaustedFailsTheTraining() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "exhausted", r -> ((Map<String, Object>) r.getAdditionalProperties().get("spec"))
        .put("failurePolicy", Map.of("maxRestarts", 0)));
    eventually(() -> assertThat(cluster.jobs("exhausted")).hasSize(1));
    cluster.awaitRunning(ChildNames.job("exhausted", 1));
    cluster.failWorker(ChildNames.job("exhausted", 1), 0, 1);
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
    cluster.awaitRunning(ChildNames.job("config-error", 1));
    cluster.failWorker(ChildNames.job("config-error", 1), 0, dev.mm1.api.ExitCodes.DIVERGED);
    eventually(() -> {
      var status = cluster.training("config-error").getStatus();
      assertThat(status.phase).isEqualTo(TrainingPhase.Failed);
      assertThat(status.restarts).isZero();
      assertThat(Conditions.find(status.conditions, Reasons.READY).orElseThrow().getReason()).isEqualTo(Reasons.NON_RETRYABLE_EXIT);
    });
    assertThat(cluster.jobs("config-error")).hasSize(1);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> spec(io.fabric8.kubernetes.api.model.GenericKubernetesResource r) {
    return (Map<String, Object>) r.getAdditionalProperties().get("spec");
  }

  @Test
  void suspendStopsTheGangAndResumeStartsTheNextAttempt() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "pause", r -> {});
    eventually(() -> assertThat(cluster.jobs("pause")).hasSize(1));
    cluster.editTraining("pause", t -> { t.getSpec().suspend = true; });
    eventually(() -> {
      assertThat(cluster.jobs("pause")).isEmpty();
      assertThat(cluster.training("pause").getStatus().phase).isEqualTo(TrainingPhase.Suspended);
    });
    assertThat(cluster.services("pause")).hasSize(1);
    cluster.editTraining("pause", t -> { t.getSpec().suspend = false; });
    eventually(() -> {
      assertThat(cluster.jobs("pause")).extracting(j -> j.getMetadata().getName()).containsExactly(ChildNames.job("pause", 2));
      assertThat(cluster.training("pause").getStatus().phase).isIn(TrainingPhase.Pending, TrainingPhase.Running);
    });
    assertThat(cluster.training("pause").getStatus().restarts).isZero();
    // Events follow the status write.
    eventually(() -> assertThat(cluster.events("pause")).extracting(e -> e.getReason()).contains(Reasons.SUSPENDED, Reasons.RESUMED));
  }

  @Test
  void ttlAfterSuccessDeletesTheChildrenButKeepsTheCheckpointClaim() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "ttl", r -> {
      spec(r).put("ttlSecondsAfterFinished", 0);
      spec(r).put("checkpoints", Map.of("createClaim", Map.of("size", "1Gi", "accessMode", "ReadWriteMany")));
    });
    eventually(() -> assertThat(cluster.jobs("ttl")).hasSize(1));
    assertThat(client.persistentVolumeClaims().inNamespace(Cluster.NS).withName(ChildNames.checkpointClaim("ttl")).get()).isNotNull();
    cluster.awaitRunning(ChildNames.job("ttl", 1));
    cluster.completeJob(ChildNames.job("ttl", 1));
    eventually(() -> {
      assertThat(cluster.training("ttl").getStatus().phase).isEqualTo(TrainingPhase.Succeeded);
      assertThat(cluster.jobs("ttl")).isEmpty();
      assertThat(cluster.services("ttl")).isEmpty();
      assertThat(cluster.configMaps("ttl")).isEmpty();
    });
    var claim = client.persistentVolumeClaims().inNamespace(Cluster.NS).withName(ChildNames.checkpointClaim("ttl")).get();
    assertThat(claim).isNotNull();
    assertThat(claim.getMetadata().getOwnerReferences()).isNullOrEmpty();
    // Events follow the status write.
    eventually(() -> assertThat(cluster.events("ttl")).extracting(e -> e.getReason()).contains(Reasons.COMPLETED, Reasons.TTL_EXPIRED));
  }

  @Test
  void aDeletedJobOrServiceIsRecreated() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "recreate", r -> {});
    eventually(() -> assertThat(cluster.jobs("recreate")).hasSize(1));
    eventually(() -> assertThat(cluster.training("recreate").getStatus().startTime).isNotNull());
    var firstUid = cluster.job(ChildNames.job("recreate", 1)).getMetadata().getUid();
    client.batch().v1().jobs().inNamespace(Cluster.NS).withName(ChildNames.job("recreate", 1)).delete();
    client.services().inNamespace(Cluster.NS).withName(ChildNames.service("recreate")).delete();
    eventually(() -> {
      assertThat(cluster.jobs("recreate")).singleElement().satisfies(j -> {
        assertThat(j.getMetadata().getName()).isEqualTo(ChildNames.job("recreate", 1));
        assertThat(j.getMetadata().getUid()).isNotEqualTo(firstUid);
      });
      assertThat(cluster.services("recreate")).hasSize(1);
    });
    // Events follow the status write.
    eventually(() -> assertThat(cluster.events("recreate")).extracting(e -> e.getReason()).contains(Reasons.CHILD_RECREATED));
  }

  @Test
  void anImmutableChangeIsRejectedWhileMaxRestartsMayChange() throws Exception {
    cluster.apply("tiny-pretrain.yaml", "immutable", r -> {});
    eventually(() -> assertThat(cluster.jobs("immutable")).hasSize(1));
    var config = cluster.configMaps("immutable").get(0).getData().get("config.json");
    cluster.editTraining("immutable", t -> { t.getSpec().optimization.learningRate = 0.5; t.getSpec().failurePolicy.maxRestarts = 7; });
    eventually(() -> {
      var status = cluster.training("immutable").getStatus();
      assertThat(status.observedGeneration).isEqualTo(2L);
      var accepted = Conditions.find(status.conditions, Reasons.SPEC_ACCEPTED).orElseThrow();
      assertThat(accepted.getStatus()).isEqualTo("False");
      assertThat(accepted.getReason()).isEqualTo(Reasons.IMMUTABLE_FIELD_CHANGED);
      assertThat(accepted.getMessage()).contains("spec.optimization.learningRate").doesNotContain("maxRestarts,");
    });
    assertThat(cluster.configMaps("immutable").get(0).getData().get("config.json")).isEqualTo(config);
    cluster.editTraining("immutable", t -> { t.getSpec().optimization.learningRate = 1.0e-3; });
    eventually(() -> assertThat(Conditions.isTrue(cluster.training("immutable").getStatus().conditions, Reasons.SPEC_ACCEPTED)).isTrue());
  }

  @Test
  void anUnreachableControlPlaneIsAConditionNotAStop() throws Exception {
    var controlPlane = ControlPlaneResource.controlPlane();
    controlPlane.down(true);
    try {
      cluster.apply("tiny-pretrain.yaml", "offline", r -> {});
      eventually(() -> {
        assertThat(cluster.jobs("offline")).hasSize(1);
        var reachable = Conditions.find(cluster.training("offline").getStatus().conditions, Reasons.CONTROL_PLANE_REACHABLE).orElseThrow();
        assertThat(reachable.getStatus()).isEqualTo("False");
        assertThat(reachable.getMessage()).contains("503");
      });
      // A second resource while the control plane is known to be down: its status says so too, though
      // the first one's retries are the calls that keep finding it down.
      cluster.apply("tiny-pretrain.yaml", "offline-too", r -> {});
      eventually(() -> {
        var reachable = Conditions.find(cluster.training("offline-too").getStatus().conditions, Reasons.CONTROL_PLANE_REACHABLE)
            .orElseThrow();
        assertThat(reachable.getStatus()).isEqualTo("False");
        assertThat(reachable.getMessage()).contains("503");
      });
      controlPlane.down(false);
      eventually(() -> assertThat(cluster.training("offline").getStatus().runId).isNotNull());
      eventually(() -> assertThat(cluster.training("offline-too").getStatus().runId).isNotNull());
    } finally {
      controlPlane.down(false);
    }
  }
}
