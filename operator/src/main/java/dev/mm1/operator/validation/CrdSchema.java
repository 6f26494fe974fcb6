package dev.mm1.operator.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The OpenAPI v3 schema of one of our CRDs, exactly as shipped in the api jar
 * ({@code META-INF/mm1/crds/<plural>.mm1.dev.yaml}), applied the way the API server applies it with
 * strict field validation: unknown fields are errors. The operator checks every custom resource
 * against it, because nothing guarantees the API server did (an API server without the CRD's
 * current version, or a test server that stores anything).
 */
public final class CrdSchema {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final JsonSchema schema;

  private CrdSchema(JsonSchema schema) {
    this.schema = schema;
  }

  /** Loads the CRD of {@code plural} (e.g. "mm1trainings") from the classpath. */
  public static CrdSchema forPlural(String plural) {
    var resource = "META-INF/mm1/crds/" + plural + ".mm1.dev.yaml";
    try (var in = CrdSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the classpath: the api jar is missing or stale");
      }
      var crd = YAML.readTree(in);
      var openApi = (ObjectNode) crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema").deepCopy();
      // The API server knows these on every object; the CRD schema leaves them out.
      var properties = openApi.with("properties");
      properties.putObject("apiVersion").put("type", "string");
      properties.putObject("kind").put("type", "string");
      properties.putObject("metadata").put("type", "object");
      // Status is the operator's to write; only the user's part is validated.
      properties.putObject("status").put("type", "object");
      forbidUnknownFields(openApi);
      return new CrdSchema(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi));
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }

  /** The first violation by field path, or empty when {@code resource} is valid. */
  public Optional<InvalidSpecException> firstViolation(JsonNode resource) {
    return schema.validate(resource).stream()
        .map(CrdSchema::violation)
        .min(Comparator.comparing(InvalidSpecException::field));
  }

  /** Every violation, sorted by field path. */
  public List<InvalidSpecException> violations(JsonNode resource) {
    return schema.validate(resource).stream()
        .map(CrdSchema::violation)
        .sorted(Comparator.comparing(InvalidSpecException::field))
        .toList();
  }

  private static InvalidSpecException violation(ValidationMessage message) {
    var field = message.getInstanceLocation().toString();
    // For a missing or unknown property the offending field is the property, not its parent.
    if (message.getProperty() != null && List.of("required", "additionalProperties").contains(message.getType())) {
      field = field + "." + message.getProperty();
    }
    var text = message.getMessage();
    var prefix = message.getInstanceLocation() + ": ";
    return new InvalidSpecException(field, text.startsWith(prefix) ? text.substring(prefix.length()) : text);
  }

  private static void forbidUnknownFields(JsonNode node) {
    if (node instanceof ObjectNode object) {
      if (object.has("properties")
          && !object.has("additionalProperties")
          && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        object.put("additionalProperties", false);
      }
      // Kubernetes extensions: CEL rules are checked in Java, int-or-string is spelled out by anyOf.
      object.remove(List.of("x-kubernetes-validations", "x-kubernetes-int-or-string"));
      object.properties().forEach(entry -> forbidUnknownFields(entry.getValue()));
    } else if (node != null && node.isArray()) {
      node.forEach(CrdSchema::forbidUnknownFields);
    }
  }
}
