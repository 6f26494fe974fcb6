package dev.mm1.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleChainTest {
  static final java.nio.file.Path SAMPLES = Mm1Up.REPO.resolve("manifests/samples");

  static SampleChain chain(String... overrides) {
    return new SampleChain(null, SAMPLES, List.of(overrides), null, true);
  }

  @Test
  void theChainRunsTheGateBaselineBeforeTheEvalThatComparesWithIt() throws Exception {
    assertThat(chain().names()).containsExactly("tiny-pretrain", "tiny-sft", "tiny-eval-baseline", "tiny-eval");
  }

  @Test
  void aSetOfAnUnknownSampleIsRefusedNamingTheSamples() {
    assertThatThrownBy(() -> chain("tiny-pretrian:optimization.steps=40").checkOverrides())
        .hasMessageContaining("no sample 'tiny-pretrian'").hasMessageContaining("tiny-pretrain, tiny-sft, tiny-eval-baseline, tiny-eval");
    assertThatThrownBy(() -> chain("optimization.steps=40").checkOverrides()).hasMessageContaining("expected SAMPLE:FIELD=VALUE");
  }

  @Test
  void aSetChangesOnlyItsSampleWithTypedValues() throws Exception {
    chain("tiny-sft:optimization.steps=40", "tiny-eval:gate.maxRegression=0.5").checkOverrides();
    var resource = new ObjectMapper().createObjectNode();
    SampleChain.apply(resource, "tiny-sft", "tiny-sft:optimization.steps=40");
    SampleChain.apply(resource, "tiny-sft", "tiny-pretrain:optimization.steps=7");
    SampleChain.apply(resource, "tiny-sft", "tiny-sft:data.documentMasking=true");
    SampleChain.apply(resource, "tiny-sft", "tiny-sft:optimization.learningRate=1e-4");
    var spec = (ObjectNode) resource.get("spec");
    assertThat(spec.path("optimization").path("steps").isLong()).isTrue();
    assertThat(spec.path("optimization").path("steps").asLong()).isEqualTo(40);
    assertThat(spec.path("data").path("documentMasking").isBoolean()).isTrue();
    assertThat(spec.path("optimization").path("learningRate").isDouble()).isTrue();
    assertThat(spec.path("optimization").path("learningRate").asDouble()).isEqualTo(1e-4);
  }
}
