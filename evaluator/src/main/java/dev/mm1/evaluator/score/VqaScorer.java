package dev.mm1.evaluator.score;

import dev.mm1.evaluator.InvalidInputException;
import dev.mm1.evaluator.data.ItemId;
import dev.mm1.evaluator.data.VqaAnnotations;
import dev.mm1.evaluator.metrics.VqaAccuracy;
import dev.mm1.evaluator.metrics.VqaAnswerNormalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scores predicted answers as the official VQAv2 evaluation does ({@link VqaAccuracy}); like its
 * {@code loadRes}, the predictions must answer exactly the annotated questions.
 */
public final class VqaScorer {
  private VqaScorer() {}

  /**
   * @param allowEmpty score answers that are empty once cleaned (they match nothing) instead of
   *     refusing them
   */
  public static VqaAccuracy.Result score(VqaAnnotations annotations, Map<ItemId, String> predictions,
      String predictionsSource, boolean allowEmpty) {
    for (ItemId id : predictions.keySet()) {
      if (!annotations.questions().containsKey(id)) {
        throw InvalidInputException.atEntry(predictionsSource, "question_id " + id,
            "is not a question of the annotations " + annotations.source());
      }
    }
    List<VqaAccuracy.Question> questions = new ArrayList<>();
    for (var entry : annotations.questions().entrySet()) {
      String answer = predictions.get(entry.getKey());
      if (answer == null) {
        throw InvalidInputException.atEntry(predictionsSource, "question_id " + entry.getKey(),
            "has no answer; every annotated question needs one (" + annotations.questions().size() + " questions, "
                + predictions.size() + " answers)");
      }
      if (!allowEmpty && VqaAnswerNormalizer.clean(answer).isEmpty()) {
        throw InvalidInputException.atEntry(predictionsSource, "question_id " + entry.getKey(),
            "the answer is empty (allow it with --allow-empty-predictions; it then scores 0)");
      }
      VqaAnnotations.Entry question = entry.getValue();
      questions.add(new VqaAccuracy.Question(entry.getKey().toString(), question.questionType(), question.answerType(),
          question.answers(), answer));
    }
    return VqaAccuracy.score(questions);
  }
}
