package dev.mm1.evaluator.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.evaluator.InvalidInputException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Results files in the public formats: captioning as COCO results ({@code [{"image_id": 42,
 * "caption": "..."}]}), VQA as VQAv2 results ({@code [{"question_id": 1, "answer": "..."}]}).
 */
public final class Predictions {
  private Predictions() {}

  /** Each image's predicted caption, in file order. */
  public static Map<ItemId, String> captions(Path file) {
    return read(file, "image_id", "caption", "the scorer takes one caption per image");
  }

  /** Each question's predicted answer, in file order. */
  public static Map<ItemId, String> answers(Path file) {
    return read(file, "question_id", "answer", "the scorer takes one answer per question");
  }

  /** An array of {idField, valueField} objects; an id twice is an error. */
  private static Map<ItemId, String> read(Path file, String idField, String valueField, String why) {
    JsonNode root = JsonInput.topArray(file, JsonInput.read(file), "{\"" + idField + "\", \"" + valueField + "\"} objects");
    if (root.isEmpty()) {
      throw InvalidInputException.inFile(file, "holds no predictions");
    }
    Map<ItemId, String> predictions = new LinkedHashMap<>();
    for (int i = 0; i < root.size(); i++) {
      String entry = "entry " + i;
      JsonNode result = JsonInput.object(file, root.get(i), i);
      ItemId id = JsonInput.id(file, entry, result, idField);
      String value = JsonInput.text(file, entry + " (" + idField + " " + id + ")", result, valueField);
      if (predictions.put(id, value) != null) {
        throw InvalidInputException.atEntry(file, entry, "a second prediction for " + idField + " " + id + "; " + why);
      }
    }
    return predictions;
  }
}
