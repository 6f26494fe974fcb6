package dev.mm1.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the API server does with a custom resource's structural schema before it validates it:
 * prunes fields the schema does not declare (reporting them, for strict field validation) and
 * fills in {@code default}s, outermost first, so that an object default of {@code {}} lets its
 * nested defaults apply too.
 */
final class StructuralSchema {
  private StructuralSchema() {}

  /** Fields the API server knows on every object, whatever the CRD schema says. */
  private static final List<String> OBJECT_FIELDS = List.of("apiVersion", "kind", "metadata");

  /**
   * Removes undeclared fields of {@code object} in place and returns their paths (".spec.foo"),
   * as the API server's strict decoding names them. {@code status} is the status subresource's to
   * write and is left alone.
   */
  static List<String> prune(JsonNode schema, ObjectNode object) {
    var unknown = new ArrayList<String>();
    var properties = schema.path("properties");
    var names = new ArrayList<String>();
    object.fieldNames().forEachRemaining(names::add);
    for (var name : names) {
      if (OBJECT_FIELDS.contains(name) || name.equals("status")) {
        continue;
      }
      if (!properties.has(name)) {
        object.remove(name);
        unknown.add("." + name);
      } else {
        prune(properties.path(name), object.get(name), "." + name, unknown);
      }
    }
    return unknown;
  }

  private static void prune(JsonNode schema, JsonNode value, String path, List<String> unknown) {
    if (schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false) || schema.path("x-kubernetes-embedded-resource").asBoolean(false)) {
      return;
    }
    if (value instanceof ObjectNode object) {
      var properties = schema.path("properties");
      var additional = schema.path("additionalProperties");
      var names = new ArrayList<String>();
      object.fieldNames().forEachRemaining(names::add);
      for (var name : names) {
        if (properties.has(name)) {
          prune(properties.path(name), object.get(name), path + "." + name, unknown);
        } else if (additional.isObject()) {
          prune(additional, object.get(name), path + "." + name, unknown);
        } else if (!additional.asBoolean(false) && (properties.size() > 0 || schema.path("type").asText().equals("object"))) {
          object.remove(name);
          unknown.add(path + "." + name);
        }
      }
    } else if (value instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        prune(schema.path("items"), array.get(i), path + "[" + i + "]", unknown);
      }
    }
  }

  /** Sets every missing property that has a {@code default}, recursively, in place. */
  static void applyDefaults(JsonNode schema, JsonNode value) {
    if (value instanceof ObjectNode object) {
      schema.path("properties").properties().forEach(property -> {
        var name = property.getKey();
        var propertySchema = property.getValue();
        if ((!object.has(name) || object.get(name).isNull()) && propertySchema.has("default")) {
          object.set(name, propertySchema.get("default").deepCopy());
        }
        if (object.has(name)) {
          applyDefaults(propertySchema, object.get(name));
        }
      });
      var additional = schema.path("additionalProperties");
      if (additional.isObject()) {
        object.properties().forEach(entry -> applyDefaults(additional, entry.getValue()));
      }
    } else if (value instanceof ArrayNode array) {
      array.forEach(item -> applyDefaults(schema.path("items"), item));
    }
  }
}
