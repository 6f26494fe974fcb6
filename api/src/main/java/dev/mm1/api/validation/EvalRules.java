package dev.mm1.api.validation;

import dev.mm1.api.ChildNames;
import dev.mm1.api.v1alpha1.GateThreshold;
import dev.mm1.api.v1alpha1.MM1Eval;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;

/**
 * What the CRD schema cannot say about an MM1Eval: its CEL rules (checked here as well) and the
 * rules that keep it from failing later; each violation names its field.
 */
public final class EvalRules {
  private EvalRules() {}

  /** Every violation of {@code eval}; empty when it can run and be judged. */
  public static List<SchemaViolation> check(MM1Eval eval) {
    var found = new Violations();
    var spec = eval.getSpec();
    if (spec == null) {
      found.add("$.spec", "is required");
      return found.list();
    }
    var name = eval.getMetadata().getName();
    var job = ChildNames.evaluatorJob(name == null ? "" : name);
    var nameProblem = KubernetesSyntax.dns1123Label(name == null ? "" : name);
    if (nameProblem.isPresent()) {
      found.add("$.metadata.name", nameProblem.get());
    } else if (job.length() > ChildNames.MAX_LABEL) {
      found.add("$.metadata.name", String.format("'%s' is too long: the evaluator Job %s must fit in %d characters; use at most %d",
          name, job, ChildNames.MAX_LABEL, name.length() - (job.length() - ChildNames.MAX_LABEL)));
    }
    TrainingRules.checkReference(spec.checkpoint, "$.spec.checkpoint", found);
    var shotsByBenchmark = new HashMap<String, List<Integer>>();
    for (int i = 0; i < spec.benchmarks.size(); i++) {
      var benchmark = spec.benchmarks.get(i);
      var shots = benchmark.shots == null ? List.of(0) : benchmark.shots;
      if (shotsByBenchmark.put(benchmark.name, shots) != null) {
        found.add("$.spec.benchmarks[" + i + "].name", "'" + benchmark.name + "' is used by an earlier benchmark; names must be unique");
      }
      var seen = new HashSet<Integer>();
      for (int s = 0; s < shots.size(); s++) {
        var shot = shots.get(s);
        if (shot == null || shot < 0 || shot > 64) {
          found.add("$.spec.benchmarks[" + i + "].shots[" + s + "]", shot + " is not a shot count: use 0 to 64");
        } else if (!seen.add(shot)) {
          found.add("$.spec.benchmarks[" + i + "].shots[" + s + "]", shot + " is repeated; each shot count runs once");
        }
      }
    }
    PodRules.checkResources(spec.resources, "$.spec.resources", found);
    PodRules.checkPod(spec.pod, null, "$.spec.pod", found);
    var gate = spec.gate;
    if (gate == null) {
      return found.list();
    }
    if (gate.baselineEval != null && gate.baselineRunId != null) {
      found.add("$.spec.gate", "set at most one of baselineEval or baselineRunId");
    }
    if (gate.maxRegression != null && gate.baselineEval == null && gate.baselineRunId == null) {
      found.add("$.spec.gate.maxRegression", "needs a baseline to regress from: set baselineEval or baselineRunId");
    }
    var thresholds = gate.thresholds == null ? List.<GateThreshold>of() : gate.thresholds;
    if (gate.maxRegression == null && thresholds.isEmpty()) {
      found.add("$.spec.gate", "has nothing to judge: set thresholds, or maxRegression against a baseline");
    }
    if (name != null && name.equals(gate.baselineEval)) {
      found.add("$.spec.gate.baselineEval", "an eval cannot be its own baseline");
    }
    var judged = new HashSet<String>();
    for (int i = 0; i < thresholds.size(); i++) {
      var threshold = thresholds.get(i);
      var shots = shotsByBenchmark.get(threshold.benchmark);
      if (shots == null) {
        found.add("$.spec.gate.thresholds[" + i + "].benchmark",
            "'" + threshold.benchmark + "' is not a benchmark of this eval; known: " + shotsByBenchmark.keySet().stream().sorted().toList());
      } else if (!shots.contains(threshold.shots)) {
        found.add("$.spec.gate.thresholds[" + i + "].shots",
            threshold.shots + " is not a shot count of benchmark " + threshold.benchmark + " " + shots);
      } else if (!judged.add(threshold.benchmark + "@" + threshold.shots)) {
        found.add("$.spec.gate.thresholds[" + i + "]",
            "a second threshold for " + threshold.benchmark + " at " + threshold.shots + " shots; keep one");
      }
    }
    return found.list();
  }
}
