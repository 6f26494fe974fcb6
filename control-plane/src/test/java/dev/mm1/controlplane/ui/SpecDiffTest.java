package dev.mm1.controlplane.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fields in which specs differ, flattened to paths, with numbers as people write them. */
class SpecDiffTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void differingPathsOnlyWithAbsentValuesMarked() throws Exception {
    SpecDiff diff = SpecDiff.of(Arrays.asList(
        JSON.readTree("{\"stage\":\"Pretrain\",\"optimization\":{\"learningRate\":3e-4,\"steps\":1000},"
            + "\"data\":{\"sources\":[{\"name\":\"a\",\"weight\":0.45},{\"name\":\"b\",\"weight\":0.1}]}}"),
        JSON.readTree("{\"stage\":\"Pretrain\",\"optimization\":{\"learningRate\":1e-4,\"steps\":1000},"
            + "\"data\":{\"sources\":[{\"name\":\"a\",\"weight\":0.5}]},\"suspend\":true}"),
        null));
    assertThat(diff.rows()).extracting(SpecDiff.Row::path).containsExactly("data.sources[0].name",
        "data.sources[0].weight", "data.sources[1].name", "data.sources[1].weight", "optimization.learningRate",
        "optimization.steps", "stage", "suspend");
    assertThat(diff.rows().get(4).values()).containsExactly("0.0003", "0.0001", "—");
    assertThat(diff.rows().get(2).values()).containsExactly("b", "—", "—");
    assertThat(diff.rows().get(7).values()).containsExactly("—", "true", "—");
    assertThat(diff.same()).isZero();
  }

  @Test
  void identicalSpecsHaveNoRows() throws Exception {
    var spec = JSON.readTree("{\"model\":{\"preset\":\"tiny\",\"overrides\":{}},\"tags\":[]}");
    SpecDiff diff = SpecDiff.of(List.of(spec, spec.deepCopy()));
    assertThat(diff.rows()).isEmpty();
    assertThat(diff.same()).isEqualTo(3); // model.preset, model.overrides ({}), tags ([])
  }
}
