package dev.mm1.operator.training;

import dev.mm1.api.config.TrainerConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.PodEnv;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.operator.Labels;
import dev.mm1.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The desired children as pure functions of the spec: no client, no server. */
class TrainingResourcesTest {
  static final OperatorSettings SETTINGS = OperatorSettings.defaults().withControlPlane(URI.create("http://cp:8080"), "t");

  static MM1Training training(String sample) throws IOException {
    var training = Serialization.unmarshal(Files.readString(Path.of("../manifests/samples", sample)), MM1Training.class);
    training.getMetadata().setNamespace("team-a");
    training.getMetadata().setUid("uid-1");
    training.getMetadata().setGeneration(1L);
    return training;
  }

  static Map<String, EnvVar> env(Job job) {
    var map = new java.util.LinkedHashMap<String, EnvVar>();
    job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().forEach(e -> map.put(e.getName(), e));
    return map;
  }

  @Test
  void theJobIsAnIndexedGangOfOnePodPerNode() throws IOException {
    var training = training("mm1-3b-pretrain.yaml");
    var job = TrainingResources.job(training, 3, "run-7", "hash", null, SETTINGS);
    var spec = job.getSpec();
    assertThat(job.getMetadata().getName()).isEqualTo("mm1-3b-pretrain-a3");
    assertThat(spec.getCompletionMode()).isEqualTo("Indexed");
    assertThat(spec.getCompletions()).isEqualTo(64);
    assertThat(spec.getParallelism()).isEqualTo(64);
    assertThat(spec.getBackoffLimit()).isZero();
    var pod = spec.getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSubdomain()).isEqualTo("mm1-3b-pretrain-workers");
    assertThat(pod.getContainers().get(0).getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("8"));
    assertThat(spec.getTemplate().getMetadata().getAnnotations()).containsEntry(Labels.CONFIG_HASH, "hash");
    assertThat(spec.getTemplate().getMetadata().getLabels())
        .containsEntry(Labels.PARENT_NAME, "mm1-3b-pretrain").containsEntry(Labels.PARENT_UID, "uid-1")
        .containsEntry(Labels.ROLE, Labels.ROLE_WORKER).containsEntry(Labels.ATTEMPT, "3");
    assertThat(job.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getController()).isTrue();
      assertThat(o.getKind()).isEqualTo("MM1Training");
    });
  }

  @Test
  void podsGetTheEnvContractWithRankFromTheCompletionIndexAndTheTokenFromASecret() throws IOException {
    var env = env(TrainingResources.job(training("tiny-pretrain.yaml"), 2, "run-7", "h", null, SETTINGS));
    assertThat(env.keySet()).contains(PodEnv.MM1_CONFIG, PodEnv.NODE_RANK, PodEnv.NNODES, PodEnv.NPROC_PER_NODE, PodEnv.MASTER_ADDR,
        PodEnv.MASTER_PORT, PodEnv.MM1_RUN_ID, PodEnv.MM1_CONTROL_PLANE_URL, PodEnv.MM1_CONTROL_PLANE_TOKEN, PodEnv.MM1_CHECKPOINT_DIR,
        PodEnv.MM1_ATTEMPT);
    // The pod's launcher sets the per-process ranks; the operator sets the pod's.
    assertThat(env.keySet()).doesNotContain(PodEnv.RANK, PodEnv.WORLD_SIZE, PodEnv.LOCAL_RANK);
    assertThat(env.get(PodEnv.NODE_RANK).getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    assertThat(env.get(PodEnv.NNODES).getValue()).isEqualTo("2");
    assertThat(env.get(PodEnv.NPROC_PER_NODE).getValue()).isEqualTo("1");
    assertThat(env.get(PodEnv.MASTER_ADDR).getValue()).isEqualTo("tiny-pretrain-a2-0.tiny-pretrain-workers.team-a.svc");
    assertThat(env.get(PodEnv.MM1_ATTEMPT).getValue()).isEqualTo("2");
    assertThat(env.get(PodEnv.MM1_CONFIG).getValue()).isEqualTo("/etc/mm1/config.json");
    assertThat(env.get(PodEnv.MM1_CONTROL_PLANE_TOKEN).getValue()).isNull();
    assertThat(env.get(PodEnv.MM1_CONTROL_PLANE_TOKEN).getValueFrom().getSecretKeyRef().getName()).isEqualTo("mm1-control-plane-token");
    assertThat(env.get(PodEnv.MM1_CONTROL_PLANE_TOKEN).getValueFrom().getSecretKeyRef().getOptional()).as("a missing Secret holds the pod back").isFalse();
  }

  @Test
  void schedulingConstraintsReachThePods() throws IOException {
    var training = training("tiny-pretrain.yaml");
    training.getSpec().resources.nodeSelector = Map.of("gpu", "h100");
    training.getSpec().resources.tolerations = List.of(new TolerationBuilder().withKey("dedicated").withOperator("Exists").build());
    training.getSpec().resources.priorityClassName = "training";
    var pod = TrainingResources.job(training, 1, "r", "h", null, SETTINGS).getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).containsEntry("gpu", "h100");
    assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    assertThat(pod.getPriorityClassName()).isEqualTo("training");
    assertThat(pod.getContainers().get(0).getResources().getRequests()).containsEntry("cpu", new Quantity("1")).containsEntry("memory", new Quantity("4Gi"));
  }

  @Test
  void aQueueNameLabelsTheJobForKueueAndCreatesItSuspended() throws IOException {
    var job = TrainingResources.job(training("mm1-3b-pretrain.yaml"), 1, "r", "h", null, SETTINGS);
    assertThat(job.getMetadata().getLabels()).containsEntry(Labels.KUEUE_QUEUE, "gpu-h100");
    assertThat(job.getSpec().getSuspend()).isTrue();
    var plain = TrainingResources.job(training("tiny-pretrain.yaml"), 1, "r", "h", null, SETTINGS);
    assertThat(plain.getMetadata().getLabels()).doesNotContainKey(Labels.KUEUE_QUEUE);
    assertThat(plain.getSpec().getSuspend()).isFalse();
  }

  @Test
  void checkpointVolumesFollowTheSpec() throws IOException {
    var file = TrainingResources.job(training("tiny-pretrain.yaml"), 1, "r", "h", null, SETTINGS);
    assertThat(file.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getHostPath() != null)
        .singleElement().satisfies(v -> assertThat(v.getHostPath().getPath()).isEqualTo("/checkpoints/tiny-pretrain"));
    assertThat(env(file).get(PodEnv.MM1_CHECKPOINT_DIR).getValue()).as("keyed by the UID, not the name").isEqualTo("/checkpoints/uid-1");

    var shared = training("mm1-3b-pretrain.yaml");
    assertThat(env(TrainingResources.job(shared, 1, "r", "h", null, SETTINGS)).get(PodEnv.MM1_CHECKPOINT_DIR).getValue())
        .isEqualTo("/checkpoints/uid-1");
    assertThat(TrainingResources.checkpointClaim(shared)).isEmpty();

    var created = training("mm1-3b-moe-pretrain.yaml");
    var claim = TrainingResources.checkpointClaim(created).orElseThrow();
    assertThat(claim.getMetadata().getName()).isEqualTo("mm1-3b-moe-pretrain-checkpoints");
    assertThat(claim.getMetadata().getOwnerReferences()).as("kept when the training is deleted").isNullOrEmpty();
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
    assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("50Ti"));
  }

  @Test
  void theServiceIsHeadlessAndPublishesNotReadyWorkers() throws IOException {
    var service = TrainingResources.headlessService(training("tiny-pretrain.yaml"), 29500);
    assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(service.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(service.getSpec().getSelector()).containsEntry(Labels.PARENT_UID, "uid-1").containsEntry(Labels.ROLE, Labels.ROLE_WORKER);
  }

  @Test
  void theConfigMapHoldsTheRenderedConfigAndItsHashChangesWithTheSpec() throws IOException {
    var training = training("tiny-pretrain.yaml");
    var config = TrainerConfig.render(training, "/checkpoints", null);
    var map = TrainingResources.configMap(training, config, TrainerConfig.acceptedSpec(training.getSpec()));
    assertThat(map.getData()).containsKeys(TrainerConfig.FILE, TrainerConfig.ACCEPTED_SPEC_FILE);
    assertThat(map.getData().get(TrainerConfig.FILE)).contains("\"dir\" : \"/checkpoints\"").doesNotContain("failurePolicy");
    assertThat(TrainerConfig.render(training, "/checkpoints", null).hash()).isEqualTo(config.hash());
    training.getSpec().optimization.learningRate = 0.01;
    assertThat(TrainerConfig.render(training, "/checkpoints", null).hash()).isNotEqualTo(config.hash());
  }

  @Test
  void onlySuspendMaxRestartsAndTtlAreMutable() throws IOException {
    var before = training("tiny-pretrain.yaml").getSpec();
    var after = training("tiny-pretrain.yaml").getSpec();
    after.suspend = true;
    after.failurePolicy.maxRestarts = 9;
    after.ttlSecondsAfterFinished = 60;
    assertThat(TrainerConfig.changedFields(TrainerConfig.acceptedSpec(before), TrainerConfig.acceptedSpec(after))).isEmpty();
    after.resources.nodes = 4;
    after.data.seed = 1L;
    assertThat(TrainerConfig.changedFields(TrainerConfig.acceptedSpec(before), TrainerConfig.acceptedSpec(after)))
        .containsExactly("spec.data.seed", "spec.resources.nodes");
  }
}
