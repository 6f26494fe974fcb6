package dev.mm1.controlplane.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.qute.TemplateData;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fields in which runs' specs differ: each spec flattened to dotted paths
 * ({@code optimization.learningRate}, {@code data.sources[1].weight}), a row per path whose value
 * is not the same in every run (absent counts as a value).
 *
 * @param rows the differing paths, sorted, with one value per run ("—" when a run has none)
 * @param same how many paths have the same value in every run
 */
@TemplateData
public record SpecDiff(List<Row> rows, int same) {
  /** A path and its value in each run, in the order of the runs. */
  @TemplateData
  public record Row(String path, List<String> values) {}

  static final String ABSENT = "—";

  /** The differences of these specs (null is an empty spec). */
  public static SpecDiff of(List<JsonNode> specs) {
    List<Map<String, String>> flat = new ArrayList<>();
    TreeSet<String> paths = new TreeSet<>();
    for (JsonNode spec : specs) {
      Map<String, String> fields = new TreeMap<>();
      if (spec != null) {
        flatten("", spec, fields);
      }
      flat.add(fields);
      paths.addAll(fields.keySet());
    }
    List<Row> rows = new ArrayList<>();
    int same = 0;
    for (String path : paths) {
      List<String> values = flat.stream().map(f -> f.getOrDefault(path, ABSENT)).toList();
      if (values.stream().distinct().count() > 1) {
        rows.add(new Row(path, values));
      } else {
        same++;
      }
    }
    return new SpecDiff(rows, same);
  }

  /** A value as people write it: strings unquoted, 3e-4 as 0.0003 (Jackson would print 3.0E-4). */
  private static String text(JsonNode node) {
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isFloatingPointNumber() && Double.isFinite(node.doubleValue())) {
      java.math.BigDecimal exact = java.math.BigDecimal.valueOf(node.doubleValue()).stripTrailingZeros();
      double magnitude = Math.abs(node.doubleValue());
      return magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e15) ? exact.toString() : exact.toPlainString();
    }
    return node.toString();
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      if (node.isEmpty() && !prefix.isEmpty()) {
        out.put(prefix, "{}");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), out);
      }
    } else if (node.isArray()) {
      if (node.isEmpty()) {
        out.put(prefix, "[]");
      }
      for (int i = 0; i < node.size(); i++) {
        flatten(prefix + "[" + i + "]", node.get(i), out);
      }
    } else {
      out.put(prefix, text(node));
    }
  }
}
