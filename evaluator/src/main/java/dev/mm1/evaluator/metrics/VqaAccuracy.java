package dev.mm1.evaluator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * VQA accuracy exactly as the official VQAv2 evaluation ({@code vqaEval.py}) computes it. Per
 * question: answers are cleaned ({@link VqaAnswerNormalizer#clean}); only when the human answers
 * are not all equal are they and the prediction normalised ({@link VqaAnswerNormalizer#normalize});
 * then for each human answer, min(1, matches among the other answers / 3), averaged over the
 * humans. An "other answer" is every answer record not equal to this one, field by field, as the
 * original compares its dicts (two identical records leave each other out). Accuracies are summed
 * in question order, x100, and rounded to 2 decimals the way Python 2's {@code round} does (half
 * away from zero, on the exact binary value).
 */
public final class VqaAccuracy {
  private static final int DECIMALS = 2;

  /**
   * One human answer: its text and the rest of its record (answer_id, answer_confidence, ...),
   * which decides which records count as "the others".
   */
  public record HumanAnswer(String answer, JsonNode otherFields) {}

  /**
   * One scored question.
   *
   * @param questionType VQAv2's question_type ("what color is the"), or null
   * @param answerType yes/no, number or other, or null
   */
  public record Question(String questionId, String questionType, String answerType, List<HumanAnswer> answers,
      String prediction) {}

  /**
   * @param accuracy overall accuracy x100, rounded as the original rounds
   * @param perAnswerType the same per answer type, in order of first appearance
   * @param perQuestionType the same per question type, in order of first appearance
   * @param perQuestion each question's accuracy on the 0-1 scale, unrounded, in input order
   */
  public record Result(double accuracy, Map<String, Double> perAnswerType, Map<String, Double> perQuestionType,
      double[] perQuestion) {}

  private VqaAccuracy() {}

  public static Result score(List<Question> questions) {
    if (questions.isEmpty()) {
      throw new IllegalArgumentException("no questions to score");
    }
    double[] perQuestion = new double[questions.size()];
    Map<String, List<Double>> byAnswerType = new LinkedHashMap<>();
    Map<String, List<Double>> byQuestionType = new LinkedHashMap<>();
    for (int q = 0; q < perQuestion.length; q++) {
      Question question = questions.get(q);
      perQuestion[q] = accuracy(question);
      byAnswerType.computeIfAbsent(Objects.requireNonNullElse(question.answerType(), "unknown"), k -> new ArrayList<>()).add(perQuestion[q]);
      byQuestionType.computeIfAbsent(Objects.requireNonNullElse(question.questionType(), "unknown"), k -> new ArrayList<>()).add(perQuestion[q]);
    }
    return new Result(percent(sequentialSum(perQuestion), perQuestion.length), rounded(byAnswerType),
        rounded(byQuestionType), perQuestion);
  }

  /** One question's accuracy on the 0-1 scale. */
  static double accuracy(Question question) {
    if (question.answers().isEmpty()) {
      throw new IllegalArgumentException("question " + question.questionId() + " has no human answers");
    }
    List<String> human = new ArrayList<>();
    for (HumanAnswer answer : question.answers()) {
      human.add(VqaAnswerNormalizer.clean(answer.answer()));
    }
    String prediction = VqaAnswerNormalizer.clean(question.prediction());
    if (new HashSet<>(human).size() > 1) {
      human.replaceAll(VqaAnswerNormalizer::normalize);
      prediction = VqaAnswerNormalizer.normalize(prediction);
    }
    double sum = 0;
    int n = human.size();
    for (int i = 0; i < n; i++) {
      int matches = 0;
      for (int j = 0; j < n; j++) {
        if (!sameRecord(question.answers(), human, i, j) && human.get(j).equals(prediction)) {
          matches++;
        }
      }
      sum += Math.min(1.0, matches / 3.0);
    }
    return sum / n;
  }

  /** Python's dict equality of two answer records after normalisation: the text and every other field. */
  private static boolean sameRecord(List<HumanAnswer> records, List<String> texts, int i, int j) {
    if (i == j) {
      return true;
    }
    JsonNode a = records.get(i).otherFields();
    JsonNode b = records.get(j).otherFields();
    return texts.get(i).equals(texts.get(j)) && (a == null ? b == null : b != null && a.equals(PYTHON_EQUALITY, b));
  }

  /** Numbers compare by value as in Python (1 == 1.0); everything else as Jackson compares it. */
  private static final Comparator<JsonNode> PYTHON_EQUALITY = (x, y) -> {
    if (x.isNumber() && y.isNumber()) {
      return x.decimalValue().compareTo(y.decimalValue());
    }
    return x.equals(y) ? 0 : 1;
  };

  private static Map<String, Double> rounded(Map<String, List<Double>> groups) {
    Map<String, Double> out = new LinkedHashMap<>();
    groups.forEach((group, values) -> {
      double[] array = values.stream().mapToDouble(Double::doubleValue).toArray();
      out.put(group, percent(sequentialSum(array), array.length));
    });
    return out;
  }

  /** round(100 * float(sum) / count, 2) as Python 2 computes it. */
  static double percent(double sum, int count) {
    return python2Round(100 * sum / count, DECIMALS);
  }

  /** Python 2.7's round(x, n): the exact binary value rounded half away from zero. */
  public static double python2Round(double value, int decimals) {
    return new BigDecimal(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
  }

  /** Python 2's sum(): left to right. */
  private static double sequentialSum(double[] values) {
    double sum = 0;
    for (double value : values) {
      sum += value;
    }
    return sum;
  }
}
