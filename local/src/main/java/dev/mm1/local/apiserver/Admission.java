package dev.mm1.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.validation.SchemaViolation;
import dev.mm1.api.validation.SpecSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the API server does to a custom resource on create and update, before it is stored: prune
 * undeclared fields (refused under {@code fieldValidation=Strict}, which kubectl sends, else dropped
 * with a warning), apply the schema's defaults, validate against the schema and evaluate the CEL
 * rules. For our own CRDs (group mm1.dev) the schema check is {@link SpecSchema}, the one
 * {@code ./mm1 validate} and the operator use; the operator's further rules are not the API server's
 * and stay the operator's (a spec they refuse is stored and gets {@code Ready=False, InvalidSpec}).
 */
final class Admission {
  private static final Map<String, SpecSchema> SCHEMAS = new ConcurrentHashMap<>();

  private Admission() {}

  /**
   * Admits {@code object} of {@code type} in place (pruned and defaulted), or says why not.
   *
   * @param old the stored object on an update, null on create
   * @param fieldValidation the request's fieldValidation directive (Strict, Warn, Ignore; null: Warn)
   * @param warnings where Warn-level findings are added (sent back as Warning headers)
   */
  static Optional<ApiStatus.Failure> admit(ResourceType type, ObjectNode object, JsonNode old, String fieldValidation,
      List<String> warnings) {
    if (type.crd() == null) {
      return Optional.empty();
    }
    var schema = type.schema();
    var name = object.path("metadata").path("name").asText();
    var unknown = StructuralSchema.prune(schema, object);
    if (!unknown.isEmpty()) {
      var fields = unknown.stream().map(f -> "unknown field \"" + f.substring(1) + "\"").toList();
      if ("Strict".equalsIgnoreCase(fieldValidation)) {
        return Optional.of(ApiStatus.of(400, "BadRequest", type.kind() + " in version \"" + type.version()
            + "\" cannot be handled as a " + type.kind() + ": strict decoding error: " + String.join(", ", fields)));
      }
      if (!"Ignore".equalsIgnoreCase(fieldValidation)) {
        warnings.addAll(fields);
      }
    }
    StructuralSchema.applyDefaults(schema, object);
    var causes = new ArrayList<ApiStatus.Cause>();
    if (MM1Training.GROUP.equals(type.group())) {
      var specSchema = SCHEMAS.computeIfAbsent(type.plural(), SpecSchema::forPlural);
      for (var violation : specSchema.violations(object)) {
        causes.add(cause(violation, object));
      }
    }
    if (causes.isEmpty()) {
      causes.addAll(CelValidation.violations(schema, object, old));
    }
    if (!causes.isEmpty()) {
      return Optional.of(ApiStatus.invalid(type.kind(), type.group(), name, causes));
    }
    return Optional.empty();
  }

  /** A schema violation in the API server's words: the field, then "Invalid value: V: why" or "Required value". */
  private static ApiStatus.Cause cause(SchemaViolation violation, JsonNode object) {
    var field = violation.field().replaceFirst("^\\$\\.?", "");
    var value = at(object, field);
    if (value == null || value.isMissingNode()) {
      return new ApiStatus.Cause("FieldValueRequired", field, "Required value: " + violation.problem());
    }
    var shown = value.isContainerNode() ? "\"" + (value.isObject() ? "object" : "array") + "\"" : value.toString();
    return new ApiStatus.Cause("FieldValueInvalid", field, "Invalid value: " + shown + ": " + violation.problem());
  }

  /** The value at a path such as spec.data.sources[0].weight, or null. */
  static JsonNode at(JsonNode root, String path) {
    JsonNode node = root;
    for (var segment : path.split("\\.")) {
      if (segment.isEmpty()) {
        continue;
      }
      var name = segment.replaceAll("\\[\\d+]", "");
      node = name.isEmpty() ? node : node.path(name);
      var indices = java.util.regex.Pattern.compile("\\[(\\d+)]").matcher(segment);
      while (indices.find()) {
        node = node.path(Integer.parseInt(indices.group(1)));
      }
      if (node.isMissingNode()) {
        return null;
      }
    }
    return node;
  }
}
