package dev.mm1.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.v1alpha1.CheckpointReference;
import dev.mm1.api.v1alpha1.DecoderSpec;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.MoeSpec;
import dev.mm1.api.v1alpha1.Precision;
import dev.mm1.api.v1alpha1.TopologySpec;
import dev.mm1.api.v1alpha1.TrainingStage;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The rules the CRD schema cannot state, each naming its field. */
class TrainingRulesTest {
  static MM1Training tiny() throws IOException {
    return Serialization.unmarshal(Files.readString(Path.of("../manifests/samples/tiny-pretrain.yaml")), MM1Training.class);
  }

  /** The fields the rules name for an edit of tiny-pretrain. */
  static List<String> fields(Consumer<MM1Training> edit) throws IOException {
    var training = tiny();
    edit.accept(training);
    return TrainingRules.check(training).stream().map(SchemaViolation::field).toList();
  }

  static String problem(Consumer<MM1Training> edit) throws IOException {
    var training = tiny();
    edit.accept(training);
    return TrainingRules.check(training).getFirst().problem();
  }

  @Test
  void everyValidSampleTrainingPasses() throws IOException {
    for (var sample : new String[] {"tiny-pretrain.yaml", "tiny-sft.yaml", "mm1-3b-pretrain.yaml", "mm1-3b-moe-pretrain.yaml", "mm1-7b-sft.yaml"}) {
      var training = Serialization.unmarshal(Files.readString(Path.of("../manifests/samples", sample)), MM1Training.class);
      assertThat(TrainingRules.check(training)).as(sample).isEmpty();
    }
  }

  @Test
  void crossFieldRulesNameTheirField() throws IOException {
    assertThat(fields(t -> t.getSpec().optimization.globalBatchSize = 6)).containsExactly("$.spec.optimization.globalBatchSize");
    assertThat(problem(t -> t.getSpec().optimization.globalBatchSize = 6)).contains("(nodes x processesPerNode) x microBatchSize = (2 x 1) x 4 = 8");
    assertThat(problem(t -> {
      t.getSpec().resources.gpusPerNode = 8;
      t.getSpec().optimization.globalBatchSize = 32;
    })).contains("(2 x 8) x 4 = 64");
    assertThat(fields(t -> t.getSpec().stage = TrainingStage.SFT)).containsExactly("$.spec.init");
    assertThat(fields(t -> t.getSpec().init = new CheckpointReference())).containsExactly("$.spec.init");
    assertThat(fields(t -> {
      t.getSpec().model.moe = new MoeSpec();
      t.getSpec().model.moe.experts = 2;
      t.getSpec().model.moe.topK = 3;
    })).containsExactly("$.spec.model.moe.topK");
    assertThat(fields(t -> {
      t.getSpec().model.decoder = new DecoderSpec();
      t.getSpec().model.decoder.width = 100;
      t.getSpec().model.decoder.heads = 3;
    })).containsExactly("$.spec.model.decoder.width");
    assertThat(fields(t -> t.getSpec().optimization.warmupSteps = 1000L)).containsExactly("$.spec.optimization.warmupSteps");
    assertThat(fields(t -> t.getSpec().checkpoints.claimName = "shared")).containsExactly("$.spec.checkpoints");
    assertThat(fields(t -> t.getSpec().checkpoints.uri = null)).containsExactly("$.spec.checkpoints");
    assertThat(fields(t -> t.getSpec().checkpoints.uri = "s3://bucket/run")).containsExactly("$.spec.checkpoints.uri");
  }

  @Test
  void precisionTheHardwareCannotRunIsRefused() throws IOException {
    assertThat(fields(t -> t.getSpec().optimization.precision = Precision.BF16)).containsExactly("$.spec.optimization.precision");
    assertThat(fields(t -> t.getSpec().optimization.precision = Precision.FP16)).containsExactly("$.spec.optimization.precision");
    assertThat(problem(t -> t.getSpec().optimization.precision = Precision.FP16)).contains("FP16 needs GPUs");
    assertThat(fields(t -> {
      t.getSpec().optimization.precision = Precision.FP16;
      t.getSpec().resources.gpusPerNode = 1;
    })).isEmpty();
    // bfloat16 aborts DJL's PyTorch engine, GPU or not.
    assertThat(problem(t -> {
      t.getSpec().optimization.precision = Precision.BF16;
      t.getSpec().resources.gpusPerNode = 1;
    })).contains("BF16 cannot run").contains("use FP16");
    assertThat(fields(t -> {
      t.getSpec().resources.gpusPerNode = 2;
      t.getSpec().resources.processesPerNode = 4;
    })).contains("$.spec.resources.processesPerNode");
  }

  @Test
  void namesThatCannotNameEveryChildOfEveryAttemptAreRefusedNotTruncated() throws IOException {
    // <name>-a9999-1 must fit in 63 characters: 55 do, 56 do not.
    assertThat(fields(t -> t.getMetadata().setName("a".repeat(55)))).isEmpty();
    assertThat(fields(t -> t.getMetadata().setName("a".repeat(56)))).containsExactly("$.metadata.name");
    assertThat(problem(t -> t.getMetadata().setName("a".repeat(56)))).contains("use at most 55");
    // More workers, longer index: 64 nodes leave 54.
    assertThat(fields(t -> {
      t.getMetadata().setName("a".repeat(55));
      t.getSpec().resources.nodes = 64;
      t.getSpec().optimization.globalBatchSize = 256;
    })).containsExactly("$.metadata.name");
    // The Service name is a DNS-1035 label: a digit first cannot name it.
    assertThat(fields(t -> t.getMetadata().setName("7b-pretrain"))).containsExactly("$.metadata.name");
  }

  @Test
  void quantitiesLabelsAndTolerationsAreCheckedAsTheApiServerWould() throws IOException {
    assertThat(fields(t -> t.getSpec().resources.memory = new Quantity("0"))).containsExactly("$.spec.resources.memory");
    assertThat(fields(t -> t.getSpec().resources.cpu = new Quantity("-1"))).containsExactly("$.spec.resources.cpu");
    assertThat(fields(t -> t.getSpec().resources.sharedMemory = new Quantity("8Gi"))).containsExactly("$.spec.resources.sharedMemory");
    assertThat(fields(t -> t.getSpec().resources.nodeSelector = Map.of("gpu type", "h100"))).containsExactly("$.spec.resources.nodeSelector");
    assertThat(fields(t -> t.getSpec().resources.nodeSelector = Map.of("gpu", "h100 sxm"))).containsExactly("$.spec.resources.nodeSelector.gpu");
    assertThat(fields(t -> t.getSpec().resources.tolerations = List.of(
        new TolerationBuilder().withKey("dedicated").withOperator("In").build()))).containsExactly("$.spec.resources.tolerations[0].operator");
    assertThat(fields(t -> t.getSpec().resources.tolerations = List.of(
        new TolerationBuilder().withKey("dedicated").withOperator("Exists").withValue("gpu").build()))).containsExactly("$.spec.resources.tolerations[0].value");
    assertThat(fields(t -> t.getSpec().resources.tolerations = List.of(
        new TolerationBuilder().withKey("dedicated").withEffect("NoScheduel").build()))).containsExactly("$.spec.resources.tolerations[0].effect");
    assertThat(fields(t -> {
      t.getSpec().resources.topology = new TopologySpec();
      t.getSpec().resources.topology.level = "cloud.provider.com/topology-block";
    })).containsExactly("$.spec.resources.topology");
  }

  @Test
  void checkpointPathsMayNotBeSystemDirectoriesOrCollideWithTheOperatorsMounts() throws IOException {
    assertThat(fields(t -> t.getSpec().checkpoints.uri = "file:///")).containsExactly("$.spec.checkpoints.uri");
    assertThat(fields(t -> t.getSpec().checkpoints.uri = "file:///var/lib/kubelet/pods")).containsExactly("$.spec.checkpoints.uri");
    assertThat(fields(t -> t.getSpec().checkpoints.uri = "file:///etc")).containsExactly("$.spec.checkpoints.uri");
    assertThat(fields(t -> t.getSpec().checkpoints.uri = "file:///mnt/shared/../../etc")).containsExactly("$.spec.checkpoints.uri");
    assertThat(fields(t -> t.getSpec().checkpoints.uri = "file:///mnt/shared/ckpt")).isEmpty();
    assertThat(fields(t -> t.getSpec().checkpoints.mountPath = "/etc/mm1")).containsExactly("$.spec.checkpoints.mountPath");
    assertThat(fields(t -> t.getSpec().checkpoints.mountPath = "/dev/shm/ckpt")).containsExactly("$.spec.checkpoints.mountPath");
    assertThat(fields(t -> t.getSpec().checkpoints.mountPath = "/")).contains("$.spec.checkpoints.mountPath");
    assertThat(fields(t -> t.getSpec().checkpoints.mountPath = "/data/ckpt")).containsExactly("$.spec.pod.volumeMounts[0].mountPath");
    assertThat(fields(t -> t.getSpec().init = reference("file:///proc/1/step-000000100"))).containsExactly("$.spec.init.uri");
    assertThat(fields(t -> t.getSpec().init = reference("s3://bucket/step-000000100"))).containsExactly("$.spec.init.uri");
  }

  static CheckpointReference reference(String uri) {
    var reference = new CheckpointReference();
    reference.uri = uri;
    return reference;
  }

  @Test
  void exitCodeZeroCannotBeNonRetryable() throws IOException {
    assertThat(fields(t -> t.getSpec().failurePolicy.nonRetryableExitCodes = List.of(64, 0))).containsExactly("$.spec.failurePolicy.nonRetryableExitCodes[1]");
    assertThat(fields(t -> t.getSpec().failurePolicy.nonRetryableExitCodes = List.of(256))).containsExactly("$.spec.failurePolicy.nonRetryableExitCodes[0]");
  }

  @Test
  void podExtrasMayNotTakeTheOperatorsNamesOrPaths() throws IOException {
    var data = new VolumeBuilder().withName("data").withNewPersistentVolumeClaim("shapes", true).build();
    assertThat(fields(t -> {
      t.getSpec().pod.volumes = List.of(data);
      t.getSpec().pod.volumeMounts = List.of(new VolumeMountBuilder().withName("data").withMountPath("/data").build());
      t.getSpec().pod.env = List.of(new EnvVar("HF_HOME", "/data/cache", null));
    })).isEmpty();
    assertThat(fields(t -> t.getSpec().pod.env = List.of(new EnvVar("RANK", "3", null)))).containsExactly("$.spec.pod.env[0].name");
    assertThat(fields(t -> {
      t.getSpec().pod.volumes = List.of(new VolumeBuilder().withName("config").withNewEmptyDir().endEmptyDir().build());
      t.getSpec().pod.volumeMounts = null;
    })).containsExactly("$.spec.pod.volumes[0].name");
    assertThat(fields(t -> {
      t.getSpec().pod.volumes = List.of(new VolumeBuilder().withName("empty").build());
      t.getSpec().pod.volumeMounts = null;
    })).containsExactly("$.spec.pod.volumes[0]");
    assertThat(fields(t -> {
      t.getSpec().pod.volumes = List.of(data);
      t.getSpec().pod.volumeMounts = List.of(new VolumeMountBuilder().withName("data").withMountPath("/checkpoints/data").build());
    })).containsExactly("$.spec.pod.volumeMounts[0].mountPath");
    assertThat(fields(t -> {
      t.getSpec().pod.volumes = List.of(data);
      t.getSpec().pod.volumeMounts = List.of(new VolumeMountBuilder().withName("date").withMountPath("/data").build());
    })).containsExactly("$.spec.pod.volumeMounts[0].name");
    assertThat(fields(t -> t.getSpec().pod.labels = Map.of("mm1.dev/role", "x"))).containsExactly("$.spec.pod.labels.mm1.dev/role");
  }
}
