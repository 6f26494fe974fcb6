package dev.mm1.operator.validation;

import dev.mm1.api.v1alpha1.MM1Eval;
import java.util.HashMap;
import java.util.List;

/** The CEL and cross-field rules of an MM1Eval that the CRD schema cannot express. */
public final class EvalRules {
  private EvalRules() {}

  public static void check(MM1Eval eval) throws InvalidSpecException {
    var spec = eval.getSpec();
    if (spec == null) {
      throw new InvalidSpecException("$.spec", "is required");
    }
    TrainingRules.checkReference(spec.checkpoint, "$.spec.checkpoint");
    if (spec.checkpoint.uri != null && !(spec.checkpoint.uri.startsWith("file:") || spec.checkpoint.uri.startsWith("pvc:"))) {
      throw new InvalidSpecException("$.spec.checkpoint.uri", "'" + spec.checkpoint.uri
          + "': the evaluator pod can mount file: and pvc://<claim>/<path> checkpoints; object stores are not supported");
    }
    var shotsByBenchmark = new HashMap<String, List<Integer>>();
    for (int i = 0; i < spec.benchmarks.size(); i++) {
      var benchmark = spec.benchmarks.get(i);
      if (shotsByBenchmark.put(benchmark.name, benchmark.shots == null ? List.of(0) : benchmark.shots) != null) {
        throw new InvalidSpecException("$.spec.benchmarks[" + i + "].name", "'" + benchmark.name + "' is used by an earlier benchmark; names must be unique");
      }
    }
    var gate = spec.gate;
    if (gate == null) {
      return;
    }
    if (gate.baselineEval != null && gate.baselineRunId != null) {
      throw new InvalidSpecException("$.spec.gate", "set at most one of baselineEval or baselineRunId");
    }
    if (gate.maxRegression != null && gate.baselineEval == null && gate.baselineRunId == null) {
      throw new InvalidSpecException("$.spec.gate.maxRegression", "needs a baseline: set baselineEval or baselineRunId");
    }
    if (eval.getMetadata().getName().equals(gate.baselineEval)) {
      throw new InvalidSpecException("$.spec.gate.baselineEval", "an eval cannot be its own baseline");
    }
    var thresholds = gate.thresholds == null ? List.<dev.mm1.api.v1alpha1.GateThreshold>of() : gate.thresholds;
    for (int i = 0; i < thresholds.size(); i++) {
      var threshold = thresholds.get(i);
      var shots = shotsByBenchmark.get(threshold.benchmark);
      if (shots == null) {
        throw new InvalidSpecException("$.spec.gate.thresholds[" + i + "].benchmark",
            "'" + threshold.benchmark + "' is not a benchmark of this eval; known: " + shotsByBenchmark.keySet().stream().sorted().toList());
      }
      if (!shots.contains(threshold.shots)) {
        throw new InvalidSpecException("$.spec.gate.thresholds[" + i + "].shots",
            threshold.shots + " is not a shot count of benchmark " + threshold.benchmark + " " + shots);
      }
    }
  }
}
