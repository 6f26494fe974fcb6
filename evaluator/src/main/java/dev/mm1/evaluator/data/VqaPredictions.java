package dev.mm1.evaluator.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.evaluator.InvalidInputException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** VQA results in the VQAv2 results format: {@code [{"question_id": 1, "answer": "..."}]}. */
public final class VqaPredictions {
  private VqaPredictions() {}

  /** Each question's predicted answer, in file order; a question twice is an error. */
  public static Map<ItemId, String> read(Path file) {
    JsonNode root = JsonInput.topArray(file, JsonInput.read(file), "{\"question_id\", \"answer\"} objects");
    if (root.isEmpty()) {
      throw InvalidInputException.inFile(file, "holds no predictions");
    }
    Map<ItemId, String> predictions = new LinkedHashMap<>();
    for (int i = 0; i < root.size(); i++) {
      String entry = "entry " + i;
      JsonNode result = JsonInput.object(file, root.get(i), i);
      ItemId id = JsonInput.id(file, entry, result, "question_id");
      String answer = JsonInput.text(file, entry + " (question_id " + id + ")", result, "answer");
      if (predictions.put(id, answer) != null) {
        throw InvalidInputException.atEntry(file, entry, "a second answer for question_id " + id);
      }
    }
    return predictions;
  }
}
