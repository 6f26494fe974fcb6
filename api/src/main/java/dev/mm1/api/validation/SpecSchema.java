package dev.mm1.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * The OpenAPI v3 schema of one of our CRDs, applied the way the API server applies it with strict
 * field validation: unknown fields are errors, not silently dropped. The CRDs ship in this jar
 * ({@code META-INF/mm1/crds/<plural>.mm1.dev.yaml}, the committed {@code manifests/crds}).
 *
 * <p>List types are enforced as the API server does (a set's items are unique, a map's items are
 * unique by their keys). CEL rules ({@code x-kubernetes-validations}) are not evaluated here;
 * {@link ResourceValidator} checks them in Java. Status is the operator's to write and is not
 * validated.
 */
public final class SpecSchema {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final String apiVersion;
  private final String kind;
  private final JsonSchema schema;
  private final JsonNode openApi;

  private SpecSchema(String apiVersion, String kind, JsonSchema schema, JsonNode openApi) {
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.schema = schema;
    this.openApi = openApi;
  }

  /** The schema of {@code plural} ("mm1trainings" or "mm1evals") from this jar. */
  public static SpecSchema forPlural(String plural) {
    var resource = "META-INF/mm1/crds/" + plural + ".mm1.dev.yaml";
    try (InputStream in = SpecSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the classpath: the api jar is missing or stale");
      }
      return of(YAML.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }

  /** The schema of the CRD in {@code crdFile}. */
  public static SpecSchema load(Path crdFile) throws IOException {
    return of(YAML.readTree(Files.readString(crdFile)));
  }

  private static SpecSchema of(JsonNode crd) {
    var spec = crd.path("spec");
    var version = spec.path("versions").get(0);
    var openApi = (ObjectNode) version.path("schema").path("openAPIV3Schema").deepCopy();
    // The API server knows these on every object; the CRD schema leaves them out.
    var properties = openApi.with("properties");
    properties.putObject("apiVersion").put("type", "string");
    properties.putObject("kind").put("type", "string");
    properties.putObject("metadata").put("type", "object");
    properties.putObject("status"); // the operator's to write, anything (null too) goes here
    forbidUnknownFields(openApi);
    return new SpecSchema(
        spec.path("group").asText() + "/" + version.path("name").asText(),
        spec.path("names").path("kind").asText(),
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi),
        openApi);
  }

  /** The kind this schema is for, e.g. MM1Training. */
  public String kind() {
    return kind;
  }

  /** Every violation in {@code resource}, sorted by field path; empty when it is valid. */
  public List<SchemaViolation> violations(JsonNode resource) {
    if (!apiVersion.equals(resource.path("apiVersion").asText()) || !kind.equals(resource.path("kind").asText())) {
      return List.of(new SchemaViolation(
          "$.apiVersion", "expected apiVersion " + apiVersion + " and kind " + kind + " for this schema"));
    }
    var violations = new java.util.ArrayList<>(schema.validate(resource).stream().map(this::violation).toList());
    duplicateMapKeys(openApi, resource, "$", violations);
    violations.sort(Comparator.comparing(SchemaViolation::field));
    return List.copyOf(violations);
  }

  /**
   * x-kubernetes-list-type: map, which the API server enforces: no two items with the same keys.
   * (Sets are plain JSON-schema uniqueItems, see {@link #forbidUnknownFields}.)
   */
  private static void duplicateMapKeys(JsonNode schema, JsonNode instance, String path, List<SchemaViolation> out) {
    if (instance == null || schema == null) {
      return;
    }
    if (instance.isObject()) {
      schema.path("properties").properties().forEach(property ->
          duplicateMapKeys(property.getValue(), instance.get(property.getKey()), path + "." + property.getKey(), out));
    } else if (instance.isArray()) {
      var items = schema.path("items");
      if ("map".equals(schema.path("x-kubernetes-list-type").asText())) {
        var seen = new java.util.HashMap<String, Integer>();
        for (int i = 0; i < instance.size(); i++) {
          var key = new StringBuilder();
          for (var name : schema.path("x-kubernetes-list-map-keys")) {
            key.append(name.asText()).append('=').append(instance.get(i).path(name.asText())).append(' ');
          }
          var earlier = seen.putIfAbsent(key.toString(), i);
          if (earlier != null) {
            out.add(new SchemaViolation(path + "[" + i + "]", "duplicate " + key.toString().trim() + " (also item " + earlier
                + "); items of this list are identified by " + schema.path("x-kubernetes-list-map-keys")));
          }
        }
      }
      for (int i = 0; i < instance.size(); i++) {
        duplicateMapKeys(items, instance.get(i), path + "[" + i + "]", out);
      }
    }
  }

  private SchemaViolation violation(ValidationMessage message) {
    var field = message.getInstanceLocation().toString();
    // For a missing or unknown property the offending field is the property, not its parent.
    if (message.getProperty() != null && List.of("required", "additionalProperties").contains(message.getType())) {
      field = field + "." + message.getProperty();
    }
    var bound = exclusiveBound(message);
    if (bound != null) {
      return new SchemaViolation(field, bound);
    }
    var text = message.getMessage();
    var prefix = message.getInstanceLocation() + ": ";
    return new SchemaViolation(field, text.startsWith(prefix) ? text.substring(prefix.length()) : text);
  }

  /**
   * Draft 4's {@code exclusiveMinimum: true} (the CRDs' "greater than 0") is reported by the
   * validator as "must have a minimum value of 0", which reads as if 0 were allowed; this says
   * "must be greater than 0" (or less than, for a maximum) instead. Null for any other message.
   */
  private String exclusiveBound(ValidationMessage message) {
    boolean minimum = "minimum".equals(message.getType());
    if (!minimum && !"maximum".equals(message.getType())) {
      return null;
    }
    var keyword = message.getSchemaLocation().getFragment().toString(); // a JSON pointer: /properties/.../minimum
    if (!keyword.startsWith("/")) {
      return null;
    }
    var parent = openApi.at(keyword.substring(0, keyword.lastIndexOf('/')));
    if (!parent.path(minimum ? "exclusiveMinimum" : "exclusiveMaximum").asBoolean(false)) {
      return null;
    }
    return "must be " + (minimum ? "greater" : "less") + " than " + parent.path(minimum ? "minimum" : "maximum").decimalValue().stripTrailingZeros().toPlainString()
        + "; got " + message.getInstanceNode();
  }

  /** Strict field validation: objects with declared properties accept no others. */
  private static void forbidUnknownFields(JsonNode node) {
    if (node instanceof ObjectNode object) {
      if (object.has("properties")
          && !object.has("additionalProperties")
          && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        object.put("additionalProperties", false);
      }
      if ("set".equals(object.path("x-kubernetes-list-type").asText())) {
        object.put("uniqueItems", true);
      }
      // Kubernetes extensions: CEL rules are checked in Java, int-or-string is spelled out by anyOf.
      object.remove(List.of("x-kubernetes-validations", "x-kubernetes-int-or-string"));
      object.properties().forEach(entry -> forbidUnknownFields(entry.getValue()));
    } else if (node != null && node.isArray()) {
      node.forEach(SpecSchema::forbidUnknownFields);
    }
  }
}
