package dev.mm1.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mm1.api.v1alpha1.CheckpointReference;
import dev.mm1.api.v1alpha1.DecoderSpec;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.MoeSpec;
import dev.mm1.api.v1alpha1.Precision;
import dev.mm1.api.v1alpha1.TrainingStage;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The rules the CRD schema cannot state, each naming its field. */
class TrainingRulesTest {
  static MM1Training tiny() throws IOException {
    return Serialization.unmarshal(Files.readString(Path.of("../manifests/samples/tiny-pretrain.yaml")), MM1Training.class);
  }

  static InvalidSpecException violation(Consumer<MM1Training> edit) throws IOException {
    var training = tiny();
    edit.accept(training);
    return catchThrowableOfType(InvalidSpecException.class, () -> TrainingRules.check(training));
  }

  @Test
  void everyValidSampleTrainingPasses() throws IOException {
    for (var sample : new String[] {"tiny-pretrain.yaml", "tiny-sft.yaml", "mm1-3b-pretrain.yaml", "mm1-3b-moe-pretrain.yaml", "mm1-7b-sft.yaml"}) {
      var training = Serialization.unmarshal(Files.readString(Path.of("../manifests/samples", sample)), MM1Training.class);
      assertThatCode(() -> TrainingRules.check(training)).as(sample).doesNotThrowAnyException();
    }
  }

  @Test
  void eachRuleNamesItsField() throws IOException {
    assertThat(violation(t -> t.getSpec().optimization.globalBatchSize = 6).field()).isEqualTo("$.spec.optimization.globalBatchSize");
    assertThat(violation(t -> t.getSpec().optimization.globalBatchSize = 6).problem()).contains("nodes x max(gpusPerNode, 1) x microBatchSize = 2 x 1 x 4 = 8");
    assertThat(violation(t -> t.getSpec().stage = TrainingStage.SFT).field()).isEqualTo("$.spec.init");
    assertThat(violation(t -> t.getSpec().init = new CheckpointReference()).field()).isEqualTo("$.spec.init");
    assertThat(violation(t -> {
      t.getSpec().model.moe = new MoeSpec();
      t.getSpec().model.moe.experts = 2;
      t.getSpec().model.moe.topK = 3;
    }).field()).isEqualTo("$.spec.model.moe.topK");
    assertThat(violation(t -> {
      t.getSpec().model.decoder = new DecoderSpec();
      t.getSpec().model.decoder.width = 100;
      t.getSpec().model.decoder.heads = 3;
    }).field()).isEqualTo("$.spec.model.decoder.width");
    assertThat(violation(t -> t.getSpec().optimization.precision = Precision.BF16).field()).isEqualTo("$.spec.optimization.precision");
    assertThat(violation(t -> t.getSpec().optimization.warmupSteps = 1000L).field()).isEqualTo("$.spec.optimization.warmupSteps");
    assertThat(violation(t -> t.getSpec().data.sources.get(1).name = "captions").field()).isEqualTo("$.spec.data.sources[1].name");
    assertThat(violation(t -> t.getSpec().checkpoints.claimName = "shared").field()).isEqualTo("$.spec.checkpoints");
    assertThat(violation(t -> t.getSpec().checkpoints.uri = null).field()).isEqualTo("$.spec.checkpoints");
    assertThat(violation(t -> t.getSpec().checkpoints.uri = "s3://bucket/run").field()).isEqualTo("$.spec.checkpoints.uri");
    assertThat(violation(t -> t.getMetadata().setName("a".repeat(60))).field()).isEqualTo("$.metadata.name");
  }
}
