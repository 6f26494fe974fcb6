package dev.mm1.evaluator.gate;

import dev.mm1.api.gate.GateEvaluation;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The gate's table: one row per benchmark, shots and metric, with baseline, candidate, delta, minimum and verdict. */
final class ComparisonTable {
  private ComparisonTable() {}

  static void print(PrintWriter out, List<GateEvaluation.Row> rows) {
    int width = Math.max("benchmark".length(), rows.stream().mapToInt(r -> r.benchmark().length()).max().orElse(0));
    String format = "%-" + width + "s %5s  %-12s %9s %9s %8s %8s  %s%n";
    out.printf(Locale.ROOT, format, "benchmark", "shots", "metric", "baseline", "candidate", "delta", "minimum", "verdict");
    for (GateEvaluation.Row row : rows) {
      out.printf(Locale.ROOT, format, row.benchmark(), row.shots(), row.metric() == null ? "-" : row.metric(),
          value(row.baseline()), value(row.candidate()),
          row.delta() == null ? "-" : String.format(Locale.ROOT, "%+.2f", row.delta()), value(row.minimum()),
          row.passed() ? "pass" : "FAIL");
    }
  }

  private static String value(Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, "%.2f", value);
  }
}
