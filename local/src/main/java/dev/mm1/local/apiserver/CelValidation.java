package dev.mm1.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.mm1.api.validation.CelValues;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code x-kubernetes-validations} rules of a CRD schema, evaluated with Google's CEL the way
 * the API server evaluates them: each rule at its place in the schema with {@code self} bound to
 * the value there (for list items, each item), {@code oldSelf} to the previous value on updates
 * (rules that use it are transition rules and are skipped on create), the standard macros
 * ({@code has}, {@code all}, {@code exists}, {@code filter}, {@code map}). A rule that does not
 * hold is reported at its {@code fieldPath}, else at its place, with its message.
 */
final class CelValidation {
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN)
      .addVar("oldSelf", SimpleType.DYN)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();
  private static final Map<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();

  private CelValidation() {}

  /** Every rule of {@code schema} that {@code object} breaks; {@code old} is the stored object on an update, else null. */
  static List<ApiStatus.Cause> violations(JsonNode schema, JsonNode object, JsonNode old) {
    var causes = new ArrayList<ApiStatus.Cause>();
    check(schema, object, old, "", causes);
    return causes;
  }

  private static void check(JsonNode schema, JsonNode value, JsonNode old, String path, List<ApiStatus.Cause> causes) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return;
    }
    for (var rule : schema.path("x-kubernetes-validations")) {
      var text = rule.path("rule").asText();
      boolean transition = text.contains("oldSelf");
      if (transition && (old == null || old.isMissingNode())) {
        continue;
      }
      boolean holds;
      try {
        var variables = new HashMap<String, Object>();
        variables.put("self", CelValues.of(value));
        if (transition) {
          variables.put("oldSelf", CelValues.of(old));
        }
        holds = Boolean.TRUE.equals(program(text).eval(variables));
      } catch (Exception e) {
        causes.add(new ApiStatus.Cause("FieldValueInvalid", path.isEmpty() ? "" : path.substring(1),
            "Invalid value: \"object\": rule \"" + text + "\" could not be evaluated: " + e.getMessage()));
        continue;
      }
      if (!holds) {
        var field = path + rule.path("fieldPath").asText("");
        var message = rule.path("message").asText("failed rule: " + text);
        causes.add(new ApiStatus.Cause("FieldValueInvalid", field.startsWith(".") ? field.substring(1) : field,
            "Invalid value: \"" + typeName(value) + "\": " + message));
      }
    }
    if (value.isObject()) {
      schema.path("properties").properties().forEach(p ->
          check(p.getValue(), value.get(p.getKey()), old == null ? null : old.get(p.getKey()), path + "." + p.getKey(), causes));
    } else if (value instanceof ArrayNode array && schema.has("items")) {
      for (int i = 0; i < array.size(); i++) {
        // Items are matched to old items by position; list-map keys would be exact, positions are enough for our rules.
        check(schema.path("items"), array.get(i), old != null && old.isArray() ? old.get(i) : null, path + "[" + i + "]", causes);
      }
    }
  }

  private static CelRuntime.Program program(String rule) {
    return PROGRAMS.computeIfAbsent(rule, r -> {
      try {
        CelAbstractSyntaxTree ast = COMPILER.compile(r).getAst();
        return RUNTIME.createProgram(ast);
      } catch (Exception e) {
        throw new IllegalStateException("CEL rule does not compile: " + r + ": " + e.getMessage(), e);
      }
    });
  }

  private static String typeName(JsonNode value) {
    if (value.isObject()) {
      return "object";
    }
    if (value.isArray()) {
      return "array";
    }
    return value.asText();
  }
}
