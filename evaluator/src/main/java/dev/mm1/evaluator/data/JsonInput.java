package dev.mm1.evaluator.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.evaluator.InvalidInputException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reading the public JSON formats with errors that name the file, the entry and the field. */
public final class JsonInput {
  public static final ObjectMapper JSON = new ObjectMapper();

  private JsonInput() {}

  /** The whole file as a JSON tree. */
  public static JsonNode read(Path file) {
    if (Files.isDirectory(file)) {
      throw InvalidInputException.inFile(file, "is a directory; a JSON file is needed");
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      if (root == null || root.isMissingNode()) {
        throw InvalidInputException.inFile(file, "is empty; a JSON document is needed");
      }
      return root;
    } catch (IOException e) {
      throw unreadable(file, e);
    }
  }

  /** Why a file could not be read: not JSON (where), missing, or an I/O error. */
  private static InvalidInputException unreadable(Path file, IOException e) {
    if (e instanceof JsonProcessingException json) {
      var location = json.getLocation();
      return InvalidInputException.inFile(file, "is not valid JSON"
          + (location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr())
          + ": " + json.getOriginalMessage());
    }
    if (e instanceof NoSuchFileException || e instanceof java.io.FileNotFoundException) {
      return InvalidInputException.inFile(file, "does not exist");
    }
    return InvalidInputException.inFile(file, "cannot be read: " + e.getMessage());
  }

  /** What to do with each element of a top-level array: (index, element). */
  @FunctionalInterface
  public interface ElementHandler {
    void accept(int index, JsonNode element);
  }

  /**
   * Streams the top-level arrays named in {@code handlers}, one element at a time, in file order,
   * skipping every other field: a dataset file of hundreds of megabytes never becomes one tree.
   * Each named array must be present.
   */
  public static void streamArrays(Path file, Map<String, ElementHandler> handlers) {
    Set<String> seen = new HashSet<>();
    List<String> fields = new ArrayList<>();
    try (JsonParser parser = JSON.getFactory().createParser(file.toFile())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw InvalidInputException.inFile(file, "must be a JSON object with " + handlers.keySet() + " arrays; the top level is "
            + (parser.currentToken() == JsonToken.START_ARRAY ? "an array" : "not an object"));
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        fields.add(name);
        JsonToken value = parser.nextToken();
        ElementHandler handler = handlers.get(name);
        if (handler == null || value != JsonToken.START_ARRAY) {
          parser.skipChildren();
          continue;
        }
        seen.add(name);
        int index = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          handler.accept(index++, JSON.readTree(parser));
        }
      }
    } catch (IOException e) {
      throw unreadable(file, e);
    }
    for (String name : handlers.keySet()) {
      if (!seen.contains(name)) {
        throw InvalidInputException.inFile(file, "has no \"" + name + "\" array at the top level; it has "
            + (fields.isEmpty() ? "no fields" : fields.toString()));
      }
    }
  }

  /** {@code root[field]}, which must be an array. */
  public static JsonNode array(Path file, JsonNode root, String field) {
    JsonNode array = root.get(field);
    if (!root.isObject() || array == null || !array.isArray()) {
      throw InvalidInputException.inFile(file, "has no \"" + field + "\" array at the top level"
          + (root.isObject() ? "; it has " + fieldNames(root) : "; the top level is " + kind(root)));
    }
    return array;
  }

  /** The file's top level, which must be an array (a results file). */
  public static JsonNode topArray(Path file, JsonNode root, String what) {
    if (!root.isArray()) {
      throw InvalidInputException.inFile(file, "must be a JSON array of " + what + "; the top level is " + kind(root));
    }
    return root;
  }

  /** An entry's object, named "entry N" (0-based) in errors. */
  public static JsonNode object(Path file, JsonNode entry, int index) {
    if (!entry.isObject()) {
      throw InvalidInputException.atEntry(file, "entry " + index, "must be an object, got " + kind(entry));
    }
    return entry;
  }

  /** A required string field. */
  public static String text(Path file, String entry, JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw InvalidInputException.atEntry(file, entry, "has no \"" + field + "\"");
    }
    if (!value.isTextual()) {
      throw InvalidInputException.atEntry(file, entry, "\"" + field + "\" must be a string, got " + value);
    }
    return value.asText();
  }

  /** An optional string field, or null. */
  public static String optionalText(Path file, String entry, JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : text(file, entry, node, field);
  }

  /**
   * A required id (an integer or a string), as a key that matches what Python's dicts match: 42 and
   * 42.0 are the same id, 42 and "42" are not.
   */
  public static ItemId id(Path file, String entry, JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw InvalidInputException.atEntry(file, entry, "has no \"" + field + "\"");
    }
    if (value.isTextual()) {
      return ItemId.ofText(value.asText());
    }
    if (value.isNumber()) {
      BigDecimal number = value.decimalValue();
      if (number.stripTrailingZeros().scale() <= 0) {
        return ItemId.ofNumber(number.toBigInteger().toString());
      }
    }
    throw InvalidInputException.atEntry(file, entry, "\"" + field + "\" must be an integer or a string, got " + value);
  }

  static String fieldNames(JsonNode object) {
    var names = new ArrayList<String>();
    object.fieldNames().forEachRemaining(names::add);
    return names.isEmpty() ? "no fields" : names.toString();
  }

  static String kind(JsonNode node) {
    return node.isArray() ? "an array" : node.isObject() ? "an object" : node.isTextual() ? "a string"
        : node.isNumber() ? "a number" : node.isBoolean() ? "a boolean" : "null";
  }
}
