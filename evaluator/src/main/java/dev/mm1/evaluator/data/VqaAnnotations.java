package dev.mm1.evaluator.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mm1.evaluator.InvalidInputException;
import dev.mm1.evaluator.metrics.VqaAccuracy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ground truth of a VQA set in the VQAv2 layout: per question (in the order of the
 * annotations file, which the official evaluation follows) its image, question and answer types
 * and the human answer records.
 *
 * @param source the files it came from, for messages
 * @param questions per question id, in order
 */
public record VqaAnnotations(String source, Map<ItemId, Entry> questions) {

  /**
   * One annotated question.
   *
   * @param imageId the image it is about
   * @param question the question text, or null when only annotations were read
   * @param questionType VQAv2's question_type, or null
   * @param answerType yes/no, number or other, or null
   * @param answers the human answer records
   */
  public record Entry(ItemId imageId, String question, String questionType, String answerType,
      List<VqaAccuracy.HumanAnswer> answers) {}

  /**
   * Reads VQAv2's {@code questions} file ({@code {"questions": [{"question_id", "image_id",
   * "question"}]}}) and {@code annotations} file ({@code {"annotations": [{"question_id",
   * "image_id", "question_type", "answer_type", "answers": [{"answer", "answer_id", ...}]}]}}).
   * Every annotation needs its question; questions without annotations are not scored.
   */
  public static VqaAnnotations readVqaV2(Path questionsFile, Path annotationsFile) {
    Map<ItemId, String> questionTexts = new LinkedHashMap<>();
    JsonInput.streamArrays(questionsFile, Map.of("questions", (i, question) -> {
      String entry = "questions[" + i + "]";
      JsonInput.object(questionsFile, question, i);
      ItemId id = JsonInput.id(questionsFile, entry, question, "question_id");
      if (questionTexts.put(id, JsonInput.text(questionsFile, entry, question, "question")) != null) {
        throw InvalidInputException.atEntry(questionsFile, entry, "question_id " + id + " appears twice");
      }
    }));
    Map<ItemId, Entry> entries = new LinkedHashMap<>();
    JsonInput.streamArrays(annotationsFile, Map.of("annotations", (i, annotation) -> {
      String entry = "annotations[" + i + "]";
      JsonInput.object(annotationsFile, annotation, i);
      ItemId id = JsonInput.id(annotationsFile, entry, annotation, "question_id");
      String text = questionTexts.get(id);
      if (text == null) {
        throw InvalidInputException.atEntry(annotationsFile, entry, "question_id " + id + " is not in " + questionsFile
            + "; are the two files of the same split?");
      }
      Entry parsed = new Entry(JsonInput.id(annotationsFile, entry, annotation, "image_id"), text,
          JsonInput.optionalText(annotationsFile, entry, annotation, "question_type"),
          JsonInput.optionalText(annotationsFile, entry, annotation, "answer_type"),
          answers(annotationsFile, entry, annotation));
      if (entries.put(id, parsed) != null) {
        throw InvalidInputException.atEntry(annotationsFile, entry, "question_id " + id + " is annotated twice");
      }
    }));
    return of(annotationsFile.toString(), entries);
  }

  public static VqaAnnotations of(String source, Map<ItemId, Entry> questions) {
    if (questions.isEmpty()) {
      throw InvalidInputException.inFile(source, "has no annotated questions");
    }
    return new VqaAnnotations(source, questions);
  }

  /**
   * The {@code answers} of an annotation: records with a string {@code answer}; the rest of each
   * record is kept because the official evaluation compares whole records.
   */
  static List<VqaAccuracy.HumanAnswer> answers(Path file, String entry, JsonNode annotation) {
    JsonNode answers = annotation.get("answers");
    if (answers == null || !answers.isArray() || answers.isEmpty()) {
      throw InvalidInputException.atEntry(file, entry, "needs a non-empty \"answers\" array of {\"answer\": ...} records");
    }
    List<VqaAccuracy.HumanAnswer> out = new ArrayList<>();
    for (int a = 0; a < answers.size(); a++) {
      String at = entry + ".answers[" + a + "]";
      JsonNode record = answers.get(a);
      if (!record.isObject()) {
        throw InvalidInputException.atEntry(file, at, "must be an object {\"answer\": ..., \"answer_id\": ...}");
      }
      String answer = JsonInput.text(file, at, record, "answer");
      ObjectNode rest = ((ObjectNode) record).deepCopy();
      rest.remove("answer");
      out.add(new VqaAccuracy.HumanAnswer(answer, rest));
    }
    return out;
  }
}
