package dev.mm1.evaluator.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.evaluator.InvalidInputException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Captioning results in the COCO results format: {@code [{"image_id": 42, "caption": "..."}]}. */
public final class CaptionPredictions {
  private CaptionPredictions() {}

  /** Each image's predicted caption, in file order; an image twice is an error. */
  public static Map<ItemId, String> read(Path file) {
    JsonNode root = JsonInput.topArray(file, JsonInput.read(file), "{\"image_id\", \"caption\"} objects");
    if (root.isEmpty()) {
      throw InvalidInputException.inFile(file, "holds no predictions");
    }
    Map<ItemId, String> predictions = new LinkedHashMap<>();
    for (int i = 0; i < root.size(); i++) {
      String entry = "entry " + i;
      JsonNode result = JsonInput.object(file, root.get(i), i);
      ItemId id = JsonInput.id(file, entry, result, "image_id");
      String caption = JsonInput.text(file, entry + " (image_id " + id + ")", result, "caption");
      if (predictions.put(id, caption) != null) {
        throw InvalidInputException.atEntry(file, entry, "a second prediction for image_id " + id
            + "; the scorer takes one caption per image");
      }
    }
    return predictions;
  }
}
