package dev.mm1.evaluator.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.evaluator.Vectors;
import dev.mm1.evaluator.data.Predictions;
import dev.mm1.evaluator.data.CaptionReferences;
import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** BLEU and CIDEr-D equal what pycocoevalcap computed on the same files (src/test/vectors/README.md). */
class OfficialCaptionVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The scores are the same sums in the same order; pow/exp/log may differ in the last bit. */
  private static final double RELATIVE = 1e-12;

  @ParameterizedTest
  @ValueSource(strings = {"quirks", "synthetic", "fuzz"})
  void scoresEqualPycocoevalcap(String name) throws Exception {
    Path dir = Vectors.path("caption/" + name);
    JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
    var predictions = Predictions.captions(dir.resolve("results.json"));
    var warnings = new ArrayList<String>();
    CaptionScorer.Scores scores = CaptionScorer.score(CaptionReferences.readCoco(dir.resolve("references.json")),
        predictions, "results.json", true, warnings::add);

    assertThat(scores.cider()).isCloseTo(expected.get("CIDEr").asDouble(), within(RELATIVE * expected.get("CIDEr").asDouble()));
    for (int k = 0; k < 4; k++) {
      double bleu = expected.get("Bleu_" + (k + 1)).asDouble();
      assertThat(scores.bleu()[k]).as("BLEU-" + (k + 1)).isCloseTo(bleu, within(RELATIVE * bleu));
    }
    JsonNode perImage = expected.get("CIDEr_per_image");
    assertThat(scores.ciderPerImage()).hasSize(perImage.size());
    for (int i = 0; i < perImage.size(); i++) {
      assertThat(scores.ciderPerImage()[i]).as("image " + i).isCloseTo(perImage.get(i).asDouble(),
          within(RELATIVE * Math.max(1, perImage.get(i).asDouble())));
    }
    assertThat(scores.images()).isEqualTo(perImage.size());
  }
}
