package dev.mm1.trainer.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mm1.api.v1alpha1.ModelPreset;
import dev.mm1.trainer.TestRuns;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TrainerTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @EnumSource(value = ModelPreset.class, names = {"TINY", "TINY_MOE"})
  void tinyModelsLearnShapesWorld(ModelPreset preset) throws Exception {
    var training = TestRuns.pretraining("learn", preset, 120);
    var run = TestRuns.run(TestRuns.job(training, dir, null, null));
    var metrics = TestRuns.metrics(dir);
    assertThat(metrics).hasSize(120);
    double first = metrics.getFirst().get("lm_loss").asDouble();
    double last = (metrics.get(117).get("lm_loss").asDouble() + metrics.get(118).get("lm_loss").asDouble()
        + metrics.get(119).get("lm_loss").asDouble()) / 3;
    assertThat(first).isGreaterThan(8.5); // ln 8192 = 9.01 at initialisation
    assertThat(last).isLessThan(LEARNED);
    assertThat(run.result().step()).isEqualTo(120);
    assertThat(metrics.getLast().has("grad_norm")).isTrue();
    if (preset == ModelPreset.TINY_MOE) {
      // tiny-moe: 2 layers, experts in layer 1; four experts' shares add up to 1.
      double total = 0;
      for (int e = 0; e < 4; e++) {
        total += metrics.getLast().get("moe/layer1/expert_load/" + e).asDouble();
      }
      assertThat(total).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
      assertThat(metrics.getLast().get("moe/load_balance_loss").asDouble()).isGreaterThan(0.9);
    }
  }

  /** The bound a short run on shapes-world must get below from 9.0 (stated in the module README). */
  static final double LEARNED = 2.0;
}
