package dev.mm1.api.gate;

import dev.mm1.api.rest.EvalResultRecord;
import dev.mm1.api.v1alpha1.BenchmarkResult;
import dev.mm1.api.v1alpha1.GateSpec;
import dev.mm1.api.v1alpha1.GateThreshold;
import dev.mm1.api.v1alpha1.GateVerdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The gate's judgement of an eval's results: every threshold met, and no result more than
 * {@code maxRegression} points below the baseline's result of the same benchmark, shots and
 * metric. One rule set, used by the operator (the MM1Eval's status) and by {@code ./mm1 gate}
 * (the CI exit code).
 */
public final class GateEvaluation {
  private GateEvaluation() {}

  /**
   * One row of the comparison: a result with its baseline and minimum, or a threshold whose
   * benchmark has no result.
   *
   * @param benchmark benchmark name
   * @param shots shot count
   * @param metric metric name, or null for a threshold without a result
   * @param candidate the eval's value, or null when missing
   * @param baseline the baseline's value, or null when there is none
   * @param minimum the threshold, or null when there is none
   * @param failures why this row fails; empty when it passes
   */
  public record Row(String benchmark, int shots, String metric, Double candidate, Double baseline, Double minimum,
      List<String> failures) {
    public boolean passed() {
      return failures.isEmpty();
    }

    /** candidate - baseline, or null when either is missing. */
    public Double delta() {
      return candidate == null || baseline == null ? null : candidate - baseline;
    }
  }

  /**
   * @param rows one per result, in result order, then one per threshold without a result
   * @param verdict passed, and every failure (thresholds first, then regressions)
   */
  public record Judgement(List<Row> rows, GateVerdict verdict) {}

  /** The verdict alone. */
  public static GateVerdict judge(List<BenchmarkResult> results, GateSpec gate, List<BenchmarkResult> baseline) {
    return compare(results, gate, baseline).verdict();
  }

  /** Rows and verdict. {@code baseline} may be empty (then no regression is judged). */
  public static Judgement compare(List<BenchmarkResult> results, GateSpec gate, List<BenchmarkResult> baseline) {
    List<GateThreshold> thresholds = gate.thresholds == null ? List.of() : gate.thresholds;
    List<String> thresholdFailures = new ArrayList<>();
    List<String> regressionFailures = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    List<Row> missing = new ArrayList<>();
    List<List<String>> rowFailures = new ArrayList<>();
    for (BenchmarkResult result : results) {
      rowFailures.add(new ArrayList<>());
    }
    for (GateThreshold threshold : thresholds) {
      Optional<BenchmarkResult> result = find(results, threshold.benchmark, threshold.shots, null);
      if (result.isEmpty()) {
        String failure = String.format("%s %d-shot: no result", threshold.benchmark, threshold.shots);
        thresholdFailures.add(failure);
        missing.add(new Row(threshold.benchmark, threshold.shots, null, null, null, threshold.min, List.of(failure)));
      } else if (result.get().value < threshold.min) {
        String failure = String.format("%s %d-shot: %s %.2f is below the minimum %.2f",
            threshold.benchmark, threshold.shots, result.get().metric, result.get().value, threshold.min);
        thresholdFailures.add(failure);
        rowFailures.get(results.indexOf(result.get())).add(failure);
      }
    }
    for (int i = 0; i < results.size(); i++) {
      BenchmarkResult result = results.get(i);
      Optional<BenchmarkResult> base = find(baseline, result.benchmark, result.shots, result.metric);
      if (gate.maxRegression != null && base.isPresent() && base.get().value - result.value > gate.maxRegression) {
        String failure = String.format("%s %d-shot: %s %.2f is %.2f below the baseline %.2f (allowed: %.2f)",
            result.benchmark, result.shots, result.metric, result.value, base.get().value - result.value,
            base.get().value, gate.maxRegression);
        regressionFailures.add(failure);
        rowFailures.get(i).add(failure);
      }
      Double minimum = find(thresholds, result).map(t -> t.min).orElse(null);
      rows.add(new Row(result.benchmark, result.shots, result.metric, result.value, base.map(b -> b.value).orElse(null),
          minimum, List.copyOf(rowFailures.get(i))));
    }
    rows.addAll(missing);
    List<String> failures = new ArrayList<>(thresholdFailures);
    failures.addAll(regressionFailures);
    GateVerdict verdict = new GateVerdict();
    verdict.passed = failures.isEmpty();
    verdict.failures = failures;
    return new Judgement(rows, verdict);
  }

  /** A control-plane result record as the MM1Eval status holds results. */
  public static BenchmarkResult result(EvalResultRecord record) {
    BenchmarkResult result = new BenchmarkResult();
    result.benchmark = record.benchmark();
    result.shots = record.shots();
    result.metric = record.metric();
    result.value = record.value();
    result.samples = record.samples();
    return result;
  }

  private static Optional<GateThreshold> find(List<GateThreshold> thresholds, BenchmarkResult result) {
    return thresholds.stream()
        .filter(t -> Objects.equals(t.benchmark, result.benchmark) && Objects.equals(t.shots, result.shots))
        .findFirst();
  }

  private static Optional<BenchmarkResult> find(List<BenchmarkResult> results, String benchmark, Integer shots,
      String metric) {
    return results.stream()
        .filter(r -> Objects.equals(r.benchmark, benchmark) && Objects.equals(r.shots, shots)
            && (metric == null || Objects.equals(r.metric, metric)))
        .findFirst();
  }
}
