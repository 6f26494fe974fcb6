package dev.mm1.evaluator.benchmark;

import dev.mm1.evaluator.data.ItemId;
import dev.mm1.evaluator.data.VqaAnnotations;
import java.nio.file.Path;

/**
 * One question of a VQA set.
 *
 * @param questionId the question's id (the id results are written with)
 * @param image the image file
 * @param truth its image id, question, types and human answers
 */
public record VqaSample(ItemId questionId, Path image, VqaAnnotations.Entry truth) {
  public ItemId imageId() {
    return truth.imageId();
  }

  public String question() {
    return truth.question();
  }

  /**
   * The answer a few-shot example shows: the most frequent human answer (the earliest of equally
   * frequent ones), which is VQAv2's multiple_choice_answer in most cases.
   */
  public String exampleAnswer() {
    var counts = new java.util.LinkedHashMap<String, Integer>();
    truth.answers().forEach(a -> counts.merge(a.answer(), 1, Integer::sum));
    return counts.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).orElseThrow().getKey();
  }
}
