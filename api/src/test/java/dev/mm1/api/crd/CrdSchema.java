package dev.mm1.api.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * Validates custom resource documents against the OpenAPI v3 schema of a generated CRD, the way
 * the API server does with strict field validation: unknown fields are errors, not dropped.
 * (CEL rules, {@code x-kubernetes-validations}, are the API server's and the operator's to check.)
 */
final class CrdSchema {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** One violation: the JSON path of the offending field and what is allowed there. */
  record Violation(String field, String message) {
    @Override
    public String toString() {
      return field + ": " + message;
    }
  }

  private final String apiVersion;
  private final String kind;
  private final JsonSchema schema;

  private CrdSchema(String apiVersion, String kind, JsonSchema schema) {
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.schema = schema;
  }

  static CrdSchema load(Path crdFile) throws IOException {
    var crd = YAML.readTree(crdFile.toFile());
    var spec = crd.path("spec");
    var version = spec.path("versions").get(0);
    var openApi = (ObjectNode) version.path("schema").path("openAPIV3Schema").deepCopy();
    // The API server knows these three on every object; the CRD schema leaves them out.
    var properties = openApi.with("properties");
    properties.putObject("apiVersion").put("type", "string");
    properties.putObject("kind").put("type", "string");
    properties.putObject("metadata").put("type", "object");
    forbidUnknownFields(openApi);
    var factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
    return new CrdSchema(
        spec.path("group").asText() + "/" + version.path("name").asText(),
        spec.path("names").path("kind").asText(),
        factory.getSchema(openApi));
  }

  String kind() {
    return kind;
  }

  /** Every violation in the document, sorted by field; empty when it is valid. */
  List<Violation> validate(JsonNode resource) {
    if (!apiVersion.equals(resource.path("apiVersion").asText()) || !kind.equals(resource.path("kind").asText())) {
      return List.of(new Violation(
          "$.apiVersion", "expected apiVersion " + apiVersion + " and kind " + kind + " for this schema"));
    }
    return schema.validate(resource).stream()
        .map(CrdSchema::violation)
        .sorted(Comparator.comparing(Violation::field))
        .toList();
  }

  private static Violation violation(ValidationMessage message) {
    var field = message.getInstanceLocation().toString();
    // For a missing or unknown property the offending field is the property, not its parent.
    if (message.getProperty() != null && List.of("required", "additionalProperties").contains(message.getType())) {
      field = field + "." + message.getProperty();
    }
    var text = message.getMessage();
    var prefix = message.getInstanceLocation() + ": ";
    return new Violation(field, text.startsWith(prefix) ? text.substring(prefix.length()) : text);
  }

  /** Strict field validation: objects with declared properties accept no others. */
  private static void forbidUnknownFields(JsonNode node) {
    if (node instanceof ObjectNode object) {
      if (object.has("properties")
          && !object.has("additionalProperties")
          && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        object.put("additionalProperties", false);
      }
      object.properties().forEach(entry -> forbidUnknownFields(entry.getValue()));
    } else if (node != null && node.isArray()) {
      node.forEach(CrdSchema::forbidUnknownFields);
    }
  }
}
