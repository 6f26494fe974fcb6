package dev.mm1.trainer.loop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.v1alpha1.ModelPreset;
import dev.mm1.model.io.SafetensorsFile;
import dev.mm1.trainer.TestRuns;
import dev.mm1.trainer.checkpoint.CheckpointDirectory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A global batch of 8 sequences as 1 micro-batch of 8, 2 of 4 or 8 of 1 is the same optimizer
 * step: the loss is normalised by the target tokens of the whole global batch, not averaged over
 * micro-batch means (which would weigh a short micro-batch's tokens more). MoE auxiliary losses
 * are statistics of each forward batch (as in every MoE trainer), so they are switched off here
 * to compare the rest of the MoE path exactly.
 */
class GradientAccumulationTest {
  @TempDir
  Path dir;

  private Map<String, float[]> train(ModelPreset preset, int microBatch) throws Exception {
    var training = TestRuns.pretraining("accumulate", preset, 3);
    if (preset == ModelPreset.TINY_MOE) {
      training.getSpec().model.moe = new dev.mm1.api.v1alpha1.MoeSpec();
      training.getSpec().model.moe.auxLossCoefficient = 0.0;
      training.getSpec().model.moe.zLossCoefficient = 0.0;
    }
    training.getSpec().optimization.globalBatchSize = 8;
    training.getSpec().optimization.microBatchSize = microBatch;
    var runDir = dir.resolve(preset + "-micro-" + microBatch);
    TestRuns.run(TestRuns.job(training, runDir, null, null));
    var checkpoint = new CheckpointDirectory(runDir).verified(3);
    var weights = new LinkedHashMap<String, float[]>();
    try (var file = SafetensorsFile.open(checkpoint.model())) {
      for (var name : file.entries().keySet()) {
        weights.put(name, file.readFloats(name));
      }
    }
    var losses = TestRuns.metrics(runDir).stream().mapToDouble(m -> m.get("lm_loss").asDouble()).toArray();
    var asFloats = new float[losses.length];
    for (int i = 0; i < losses.length; i++) {
      asFloats[i] = (float) losses[i];
    }
    weights.put("losses", asFloats);
    return weights;
  }

  @ParameterizedTest
  @EnumSource(value = ModelPreset.class, names = {"TINY", "TINY_MOE"})
  void oneEightTwoFourAndEightOneMicroBatchesMakeTheSameUpdate(ModelPreset preset) throws Exception {
    var whole = train(preset, 8);
    for (int micro : new int[] {4, 1}) {
      var accumulated = train(preset, micro);
      assertThat(accumulated.keySet()).isEqualTo(whole.keySet());
      for (var name : whole.keySet()) {
        var a = whole.get(name);
        var b = accumulated.get(name);
        float worst = 0;
        for (int i = 0; i < a.length; i++) {
          worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        assertThat(worst).as("%s with micro-batches of %d", name, micro).isLessThan(2e-4f);
      }
    }
  }
}
