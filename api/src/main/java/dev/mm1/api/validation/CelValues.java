package dev.mm1.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;

/**
 * A resource's JSON as the values a CEL rule of its CRD sees as {@code self}: objects as maps
 * (null members left out: unset, as {@code has()} expects), arrays as lists, integers as int64,
 * other numbers as double. Shared by the local API server, which evaluates the CRDs' rules on every
 * write, and the test that checks every rule.
 */
public final class CelValues {
  private CelValues() {}

  public static Object of(JsonNode node) {
    if (node.isObject()) {
      var map = new HashMap<String, Object>();
      node.properties().forEach(e -> {
        if (!e.getValue().isNull()) {
          map.put(e.getKey(), of(e.getValue()));
        }
      });
      return map;
    }
    if (node.isArray()) {
      var list = new ArrayList<Object>();
      node.forEach(item -> list.add(of(item)));
      return list;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }
}
