package dev.mm1.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The samples read into the Java types the operator and trainers use, defaults included. */
class SampleResourcesTest {
  static <T> T read(String sample, Class<T> type) throws IOException {
    return Serialization.unmarshal(Files.readString(Path.of("../manifests/samples", sample)), type);
  }

  @Test
  void paperScalePretraining() throws IOException {
    var training = read("mm1-3b-pretrain.yaml", MM1Training.class);
    var spec = training.getSpec();
    assertThat(spec.stage).isEqualTo(TrainingStage.Pretrain);
    assertThat(spec.model.preset).isEqualTo(ModelPreset.MM1_3B);
    assertThat(spec.model.imageEncoder.architecture).isEqualTo(VisionArchitecture.VIT_H_14);
    assertThat(spec.model.connector.type).isEqualTo(ConnectorType.CAbstractor);
    assertThat(spec.data.sources).extracting(s -> s.name + ":" + s.kind + ":" + s.weight)
        .containsExactly("captions:Caption:45.0", "interleaved:Interleaved:45.0", "text:Text:10.0");
    assertThat(spec.data.sequenceLength).isEqualTo(4096);
    assertThat(spec.data.maxImagesPerSequence).isEqualTo(16);
    assertThat(spec.optimization.steps).isEqualTo(200_000L);
    assertThat(spec.optimization.globalBatchSize).isEqualTo(512);
    assertThat(spec.resources.nodes * spec.resources.gpusPerNode).isEqualTo(512);
    assertThat(spec.resources.memory).isEqualTo(new Quantity("1500Gi"));
    assertThat(spec.resources.tolerations).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
    // Unset fields take the same defaults the CRD gives them.
    assertThat(spec.data.onBadSample).isEqualTo(BadSamplePolicy.Skip);
    assertThat(spec.suspend).isFalse();
  }

  @Test
  void moePretrainingAndSft() throws IOException {
    var moe = read("mm1-3b-moe-pretrain.yaml", MM1Training.class).getSpec();
    assertThat(moe.model.preset).isEqualTo(ModelPreset.MM1_3B_MOE);
    assertThat(moe.model.moe.experts).isEqualTo(64);
    assertThat(moe.model.moe.everyNLayers).isEqualTo(2);
    assertThat(moe.checkpoints.createClaim.size).isEqualTo(new Quantity("50Ti"));

    var sft = read("mm1-7b-sft.yaml", MM1Training.class).getSpec();
    assertThat(sft.stage).isEqualTo(TrainingStage.SFT);
    assertThat(sft.init.fromTraining).isEqualTo("mm1-7b-pretrain");
    assertThat(sft.init.step).isEqualTo("latest");
    assertThat(sft.data.subImageDecomposition).isTrue();
  }

  @Test
  void gatedEval() throws IOException {
    var eval = read("tiny-eval.yaml", MM1Eval.class).getSpec();
    assertThat(eval.checkpoint.fromTraining).isEqualTo("tiny-sft");
    assertThat(eval.benchmarks).extracting(b -> b.task).containsExactly(BenchmarkTask.Captioning, BenchmarkTask.VQA);
    assertThat(eval.benchmarks.getFirst().shots).containsExactly(0, 4);
    assertThat(eval.gate.thresholds).extracting(t -> t.benchmark + "@" + t.shots + ">=" + t.min)
        .containsExactly("shapes-captions@0>=60.0", "shapes-vqa@0>=38.0");
  }

  @Test
  void statusSerializesWithConditionsAndPrinterColumnFields() {
    var status = new MM1TrainingStatus();
    status.phase = TrainingPhase.Running;
    status.step = 1200L;
    status.latestCheckpoint = new CommittedCheckpoint();
    status.latestCheckpoint.step = 1000L;
    var yaml = Serialization.asYaml(status);
    assertThat(yaml).contains("phase: \"Running\"").contains("step: 1200").contains("latestCheckpoint:");
    assertThat(yaml).doesNotContain("loss"); // unset fields are left out, not written as null
  }
}
