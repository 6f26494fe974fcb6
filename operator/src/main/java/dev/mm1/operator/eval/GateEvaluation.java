package dev.mm1.operator.eval;

import dev.mm1.api.v1alpha1.BenchmarkResult;
import dev.mm1.api.v1alpha1.GateSpec;
import dev.mm1.api.v1alpha1.GateVerdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The gate verdict of an eval's results: thresholds met, and no regression past the limit against a baseline. */
public final class GateEvaluation {
  private GateEvaluation() {}

  public static GateVerdict judge(List<BenchmarkResult> results, GateSpec gate, List<BenchmarkResult> baseline) {
    var failures = new ArrayList<String>();
    for (var threshold : gate.thresholds == null ? List.<dev.mm1.api.v1alpha1.GateThreshold>of() : gate.thresholds) {
      var result = find(results, threshold.benchmark, threshold.shots, null);
      if (result.isEmpty()) {
        failures.add(String.format("%s %d-shot: no result", threshold.benchmark, threshold.shots));
      } else if (result.get().value < threshold.min) {
        failures.add(String.format("%s %d-shot: %s %.2f is below the minimum %.2f",
            threshold.benchmark, threshold.shots, result.get().metric, result.get().value, threshold.min));
      }
    }
    if (gate.maxRegression != null) {
      for (var result : results) {
        find(baseline, result.benchmark, result.shots, result.metric).ifPresent(base -> {
          if (base.value - result.value > gate.maxRegression) {
            failures.add(String.format("%s %d-shot: %s %.2f is %.2f below the baseline %.2f (allowed: %.2f)",
                result.benchmark, result.shots, result.metric, result.value, base.value - result.value, base.value, gate.maxRegression));
          }
        });
      }
    }
    var verdict = new GateVerdict();
    verdict.passed = failures.isEmpty();
    verdict.failures = failures;
    return verdict;
  }

  private static Optional<BenchmarkResult> find(List<BenchmarkResult> results, String benchmark, Integer shots, String metric) {
    return results.stream()
        .filter(r -> Objects.equals(r.benchmark, benchmark) && Objects.equals(r.shots, shots) && (metric == null || Objects.equals(r.metric, metric)))
        .findFirst();
  }
}
