package dev.mm1.evaluator.score;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.evaluator.Vectors;
import dev.mm1.evaluator.data.ItemId;
import dev.mm1.evaluator.data.VqaAnnotations;
import dev.mm1.evaluator.data.Predictions;
import dev.mm1.evaluator.metrics.VqaAccuracy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** VQA accuracy equals what the official vqaEval.py (Python 2.7) printed for the same files. */
class OfficialVqaVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest
  @ValueSource(strings = {"quirks", "rounding", "synthetic"})
  void accuraciesEqualTheOfficialEvaluation(String name) throws Exception {
    Path dir = Vectors.path("vqa/" + name);
    JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
    VqaAnnotations annotations = VqaAnnotations.readVqaV2(dir.resolve("questions.json"), dir.resolve("annotations.json"));
    VqaAccuracy.Result result = VqaScorer.score(annotations, Predictions.answers(dir.resolve("results.json")),
        "results.json", true);

    // Rounded values: equal exactly, as printed.
    assertThat(result.accuracy()).isEqualTo(expected.get("overall").asDouble());
    expected.get("perAnswerType").fields().forEachRemaining(entry ->
        assertThat(result.perAnswerType()).containsEntry(entry.getKey(), entry.getValue().asDouble()));
    assertThat(result.perAnswerType()).hasSize(expected.get("perAnswerType").size());
    expected.get("perQuestionType").fields().forEachRemaining(entry ->
        assertThat(result.perQuestionType()).containsEntry(entry.getKey(), entry.getValue().asDouble()));
    List<ItemId> ids = List.copyOf(annotations.questions().keySet());
    for (int q = 0; q < ids.size(); q++) {
      double official = expected.get("perQuestion").get(ids.get(q).text()).asDouble();
      assertThat(VqaAccuracy.python2Round(100 * result.perQuestion()[q], 2)).as("question " + ids.get(q)).isEqualTo(official);
    }
  }
}
