package dev.mm1.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.v1alpha1.GateThreshold;
import dev.mm1.api.v1alpha1.MM1Eval;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class EvalRulesTest {
  static List<String> fields(Consumer<MM1Eval> edit) throws IOException {
    var eval = Serialization.unmarshal(Files.readString(Path.of("../manifests/samples/tiny-eval.yaml")), MM1Eval.class);
    edit.accept(eval);
    return EvalRules.check(eval).stream().map(SchemaViolation::field).toList();
  }

  @Test
  void theSampleIsValid() throws IOException {
    assertThat(fields(e -> {})).isEmpty();
  }

  @Test
  void shotsThatAreNegativeOrRepeatedAreRefused() throws IOException {
    assertThat(fields(e -> e.getSpec().benchmarks.get(0).shots = List.of(0, -1))).containsExactly("$.spec.benchmarks[0].shots[1]");
    assertThat(fields(e -> e.getSpec().benchmarks.get(1).shots = List.of(4, 0, 4))).containsExactly("$.spec.benchmarks[1].shots[2]");
  }

  @Test
  void gatesThatCannotBeJudgedAreRefused() throws IOException {
    assertThat(fields(e -> e.getSpec().gate.baselineEval = null)).containsExactly("$.spec.gate.maxRegression");
    assertThat(fields(e -> {
      e.getSpec().gate.maxRegression = null;
      e.getSpec().gate.thresholds = null;
    })).containsExactly("$.spec.gate");
    assertThat(fields(e -> e.getSpec().gate.baselineEval = e.getMetadata().getName())).containsExactly("$.spec.gate.baselineEval");
    assertThat(fields(e -> e.getSpec().gate.thresholds.get(0).benchmark = "coco")).containsExactly("$.spec.gate.thresholds[0].benchmark");
    assertThat(fields(e -> e.getSpec().gate.thresholds.get(0).shots = 8)).containsExactly("$.spec.gate.thresholds[0].shots");
    assertThat(fields(e -> {
      var again = new GateThreshold();
      again.benchmark = "shapes-vqa";
      again.shots = 0;
      again.min = 1.0;
      e.getSpec().gate.thresholds = new ArrayList<>(e.getSpec().gate.thresholds);
      e.getSpec().gate.thresholds.add(again);
    })).containsExactly("$.spec.gate.thresholds[2]");
  }

  @Test
  void namesTooLongForTheEvaluatorJobAreRefused() throws IOException {
    assertThat(fields(e -> e.getMetadata().setName("e".repeat(53)))).isEmpty();
    assertThat(fields(e -> e.getMetadata().setName("e".repeat(54)))).containsExactly("$.metadata.name");
  }
}
