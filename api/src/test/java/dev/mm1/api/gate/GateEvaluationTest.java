package dev.mm1.api.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.v1alpha1.BenchmarkResult;
import dev.mm1.api.v1alpha1.GateSpec;
import dev.mm1.api.v1alpha1.GateThreshold;
import java.util.List;
import org.junit.jupiter.api.Test;

class GateEvaluationTest {
  static BenchmarkResult result(String benchmark, int shots, double value) {
    var result = new BenchmarkResult();
    result.benchmark = benchmark;
    result.shots = shots;
    result.metric = "cider-d";
    result.value = value;
    return result;
  }

  static GateThreshold threshold(String benchmark, int shots, double min) {
    var threshold = new GateThreshold();
    threshold.benchmark = benchmark;
    threshold.shots = shots;
    threshold.min = min;
    return threshold;
  }

  @Test
  void passesWhenEveryThresholdIsMetAndNothingRegressed() {
    var gate = new GateSpec();
    gate.thresholds = List.of(threshold("caps", 0, 10));
    gate.maxRegression = 2.0;
    var verdict = GateEvaluation.judge(List.of(result("caps", 0, 11), result("caps", 4, 20)), gate, List.of(result("caps", 4, 21.5)));
    assertThat(verdict.passed).isTrue();
    assertThat(verdict.failures).isEmpty();
  }

  @Test
  void namesEveryMissedThresholdMissingResultAndRegression() {
    var gate = new GateSpec();
    gate.thresholds = List.of(threshold("caps", 0, 10), threshold("vqa", 0, 30));
    gate.maxRegression = 1.5;
    var verdict = GateEvaluation.judge(List.of(result("caps", 0, 8), result("caps", 4, 18)), gate, List.of(result("caps", 4, 20)));
    assertThat(verdict.passed).isFalse();
    assertThat(verdict.failures).containsExactly(
        "caps 0-shot: cider-d 8.00 is below the minimum 10.00",
        "vqa 0-shot: no result",
        "caps 4-shot: cider-d 18.00 is 2.00 below the baseline 20.00 (allowed: 1.50)");
  }

  @Test
  void comparisonRowsCarryBaselineDeltaMinimumAndVerdict() {
    var gate = new GateSpec();
    gate.thresholds = List.of(threshold("caps", 0, 10), threshold("vqa", 0, 30));
    gate.maxRegression = 1.5;
    var judgement = GateEvaluation.compare(List.of(result("caps", 0, 8), result("caps", 4, 19)), gate,
        List.of(result("caps", 4, 20), result("caps", 0, 7)));
    assertThat(judgement.rows()).hasSize(3);
    var zeroShot = judgement.rows().get(0);
    assertThat(zeroShot.candidate()).isEqualTo(8.0);
    assertThat(zeroShot.baseline()).isEqualTo(7.0);
    assertThat(zeroShot.delta()).isEqualTo(1.0);
    assertThat(zeroShot.minimum()).isEqualTo(10.0);
    assertThat(zeroShot.passed()).isFalse();
    var fourShot = judgement.rows().get(1);
    assertThat(fourShot.delta()).isEqualTo(-1.0);
    assertThat(fourShot.minimum()).isNull();
    assertThat(fourShot.passed()).isTrue();
    var missing = judgement.rows().get(2);
    assertThat(missing.benchmark()).isEqualTo("vqa");
    assertThat(missing.candidate()).isNull();
    assertThat(missing.failures()).containsExactly("vqa 0-shot: no result");
    assertThat(judgement.verdict().failures).hasSize(2);
  }

  @Test
  void withoutMaxRegressionTheBaselineIsShownButNotJudged() {
    var gate = new GateSpec();
    var judgement = GateEvaluation.compare(List.of(result("caps", 0, 1)), gate, List.of(result("caps", 0, 50)));
    assertThat(judgement.verdict().passed).isTrue();
    assertThat(judgement.rows().getFirst().baseline()).isEqualTo(50.0);
  }

  @Test
  void resultRecordsBecomeStatusResults() {
    var result = GateEvaluation.result(new dev.mm1.api.rest.EvalResultRecord("caps", "coco", 4, "cider-d", 80.5, 5000, 100L));
    assertThat(result.benchmark).isEqualTo("caps");
    assertThat(result.shots).isEqualTo(4);
    assertThat(result.metric).isEqualTo("cider-d");
    assertThat(result.value).isEqualTo(80.5);
    assertThat(result.samples).isEqualTo(5000);
  }
}
