package dev.mm1.evaluator.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.evaluator.InvalidInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference captions of a captioning set: per image, in the order of the file's
 * {@code images} (the order pycocotools keeps, which the tokenizer's context follows), its
 * captions in the order of {@code annotations}.
 *
 * @param source the file or set it came from, for messages
 * @param imageIds the images, in order
 * @param captions per image, its reference captions
 */
public record CaptionReferences(String source, List<ItemId> imageIds, Map<ItemId, List<String>> captions) {

  /** Reads a COCO captions file ({@code {"images": [{"id", ...}], "annotations": [{"image_id", "caption"}]}}). */
  public static CaptionReferences readCoco(Path file) {
    Map<ItemId, List<String>> captions = new LinkedHashMap<>();
    List<ItemId> order = new ArrayList<>();
    List<JsonNode> annotations = new ArrayList<>();
    JsonInput.streamArrays(file, Map.of(
        "images", (i, image) -> {
          JsonInput.object(file, image, i);
          ItemId id = JsonInput.id(file, "images[" + i + "]", image, "id");
          if (captions.putIfAbsent(id, new ArrayList<>()) != null) {
            throw InvalidInputException.atEntry(file, "images[" + i + "]", "image id " + id + " appears twice");
          }
          order.add(id);
        },
        // Annotations may come before images in the file: kept until both are read.
        "annotations", (i, annotation) -> annotations.add(JsonInput.object(file, annotation, i))));
    for (int i = 0; i < annotations.size(); i++) {
      String entry = "annotations[" + i + "]";
      JsonNode annotation = annotations.get(i);
      ItemId imageId = JsonInput.id(file, entry, annotation, "image_id");
      String caption = JsonInput.text(file, entry, annotation, "caption");
      List<String> list = captions.get(imageId);
      if (list == null) {
        throw InvalidInputException.atEntry(file, entry, "image_id " + imageId + " is not in \"images\"");
      }
      list.add(caption);
    }
    return of(file.toString(), order, captions);
  }

  /** Checks that every image has a reference; the others are kept in the given order. */
  public static CaptionReferences of(String source, List<ItemId> imageIds, Map<ItemId, List<String>> captions) {
    if (imageIds.isEmpty()) {
      throw InvalidInputException.inFile(source, "has no images");
    }
    for (ItemId id : imageIds) {
      List<String> list = captions.get(id);
      if (list == null || list.isEmpty()) {
        throw InvalidInputException.atEntry(source, "image " + id, "has no reference caption");
      }
    }
    return new CaptionReferences(source, List.copyOf(imageIds), captions);
  }

  public int referenceCount() {
    return captions.values().stream().mapToInt(List::size).sum();
  }
}
