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
 * <p>CEL rules ({@code x-kubernetes-validations}) are not evaluated here; callers that stand in
 * for the API server check them in Java. Status is the operator's to write and is not validated.
 */
public final class SpecSchema {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final String apiVersion;
  private final String kind;
  private final JsonSchema schema;

  private SpecSchema(String apiVersion, String kind, JsonSchema schema) {
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.schema = schema;
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
    properties.putObject("status").put("type", "object");
    forbidUnknownFields(openApi);
    return new SpecSchema(
        spec.path("group").asText() + "/" + version.path("name").asText(),
        spec.path("names").path("kind").asText(),
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi));
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
    return schema.validate(resource).stream()
        .map(SpecSchema::violation)
        .sorted(Comparator.comparing(SchemaViolation::field))
        .toList();
  }

  private static SchemaViolation violation(ValidationMessage message) {
    var field = message.getInstanceLocation().toString();
    // For a missing or unknown property the offending field is the property, not its parent.
    if (message.getProperty() != null && List.of("required", "additionalProperties").contains(message.getType())) {
      field = field + "." + message.getProperty();
    }
    var text = message.getMessage();
    var prefix = message.getInstanceLocation() + ": ";
    return new SchemaViolation(field, text.startsWith(prefix) ? text.substring(prefix.length()) : text);
  }

  /** Strict field validation: objects with declared properties accept no others. */
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
      node.forEach(SpecSchema::forbidUnknownFields);
    }
  }
}
