package dev.mm1.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code fieldSelector} ({@code involvedObject.name=x,spec.nodeName!=y}) evaluated on the
 * object's fields by their dotted paths. The object store only understands label selectors, so
 * every field selector is applied here, to lists and to watch events alike.
 */
record FieldSelector(List<Requirement> requirements) {
  record Requirement(String field, boolean equal, String value) {}

  static final FieldSelector EVERYTHING = new FieldSelector(List.of());

  static FieldSelector parse(String text) {
    if (text == null || text.isBlank()) {
      return EVERYTHING;
    }
    var requirements = new ArrayList<Requirement>();
    for (var part : text.split(",")) {
      part = part.trim();
      if (part.isEmpty()) {
        continue;
      }
      int at;
      boolean equal;
      int length;
      if ((at = part.indexOf("!=")) >= 0) {
        equal = false;
        length = 2;
      } else if ((at = part.indexOf("==")) >= 0) {
        equal = true;
        length = 2;
      } else if ((at = part.indexOf('=')) >= 0) {
        equal = true;
        length = 1;
      } else {
        throw new IllegalArgumentException("invalid field selector requirement '" + part + "': expected field=value or field!=value");
      }
      requirements.add(new Requirement(part.substring(0, at).trim(), equal, part.substring(at + length).trim()));
    }
    return new FieldSelector(List.copyOf(requirements));
  }

  boolean matches(JsonNode object) {
    for (var requirement : requirements) {
      var node = Admission.at(object, requirement.field());
      var value = node == null || node.isNull() ? "" : node.asText();
      if (value.equals(requirement.value()) != requirement.equal()) {
        return false;
      }
    }
    return true;
  }
}
