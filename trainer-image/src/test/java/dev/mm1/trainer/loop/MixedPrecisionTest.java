package dev.mm1.trainer.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.ModelPreset;
import dev.mm1.api.v1alpha1.Precision;
import dev.mm1.trainer.TestRuns;
import dev.mm1.trainer.optim.LossScaler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FP16 training through its CPU twin ({@link Trainer#float16OnCpu(double)}): float16 passes on
 * copies of float32 master weights with dynamic loss scaling learn like FP32; overflowing gradients
 * skip their step and halve the scale without stopping the run; a resumed run continues bit for bit,
 * loss scale included.
 */
class MixedPrecisionTest {
  static final long STEPS = 12;

  @TempDir
  Path dir;

  static MM1Training training(String name, Precision precision) {
    var training = TestRuns.pretraining(name, ModelPreset.TINY, STEPS);
    training.getSpec().optimization.precision = precision;
    training.getSpec().checkpoints.everySteps = 4L;
    training.getSpec().checkpoints.keepLast = 3;
    return training;
  }

  static String run(MM1Training training, Path runDir, double initialLossScale) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (var err = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      var trainer = new Trainer(TestRuns.job(training, runDir, null, null), new SingleProcess(), err, Instant.now(), 1);
      if (training.getSpec().optimization.precision == Precision.FP16) {
        trainer.float16OnCpu(initialLossScale);
      }
      trainer.run();
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void float16LearnsLikeFloat32() throws Exception {
    run(training("full", Precision.FP32), dir.resolve("fp32"), 0);
    var log = run(training("half", Precision.FP16), dir.resolve("fp16"), LossScaler.INITIAL_SCALE);
    assertThat(log).contains("mixed precision: float16");
    List<JsonNode> full = TestRuns.metrics(dir.resolve("fp32"));
    List<JsonNode> half = TestRuns.metrics(dir.resolve("fp16"));
    boolean differs = false;
    for (int i = 0; i < STEPS; i++) {
      double expected = full.get(i).get("lm_loss").asDouble();
      double actual = half.get(i).get("lm_loss").asDouble();
      // Measured: within 3e-4 of FP32 over these 12 steps (the loss falls from 9.08 to 6.54).
      assertThat(actual).as("step %d", i + 1).isCloseTo(expected, org.assertj.core.data.Offset.offset(5e-3));
      assertThat(half.get(i).get("grad_norm").asDouble()).as("step %d", i + 1)
          .isCloseTo(full.get(i).get("grad_norm").asDouble(), org.assertj.core.data.Percentage.withPercentage(2));
      assertThat(half.get(i).get("amp/loss_scale").asDouble()).isEqualTo(LossScaler.INITIAL_SCALE);
      differs |= actual != expected;
    }
    assertThat(differs).as("float16 rounding shows in the losses").isTrue();
    assertThat(half.getLast().get("lm_loss").asDouble()).isLessThan(half.getFirst().get("lm_loss").asDouble() - 2);
    assertThat(full.getFirst().has("amp/loss_scale")).isFalse();
  }

  @Test
  void overflowsLowerTheScaleAndAResumeContinuesExactly() throws Exception {
    double initial = Math.pow(2, 20); // float16 gradients overflow at this scale (measured: 2^17 is the first that fits)
    var reference = dir.resolve("reference");
    var log = run(training("scaled", Precision.FP16), reference, initial);
    var metrics = TestRuns.metrics(reference);
    assertThat(metrics).hasSize((int) STEPS);
    double scale = initial;
    double skipped = 0;
    for (var step : metrics) {
      assertThat(step.get("amp/loss_scale").asDouble()).as("step %s", step.get("step")).isEqualTo(scale);
      double skippedNow = step.get("skipped_updates").asDouble();
      if (skippedNow > skipped) {
        scale /= 2; // GradScaler's backoff
      }
      skipped = skippedNow;
    }
    assertThat(skipped).as("steps skipped for overflow").isBetween(1.0, 6.0);
    assertThat(log).contains("float16 gradients overflowed at loss scale " + initial);
    assertThat(metrics.getLast().get("lm_loss").asDouble()).isLessThan(metrics.getFirst().get("lm_loss").asDouble() - 1);

    // The same run stopped after step 8: its newest checkpoint is step 8's.
    var resumed = dir.resolve("resumed");
    TestRuns.runAsOf(reference, resumed, 8);
    var second = run(training("scaled", Precision.FP16), resumed, 1); // the checkpoint's scale wins over this
    assertThat(second).contains("(step 8,");
    assertThat(TestRuns.lossByStep(resumed)).isEqualTo(TestRuns.lossByStep(reference));
    var again = TestRuns.metrics(resumed);
    for (int i = 8; i < STEPS; i++) {
      assertThat(again.get(i).get("amp/loss_scale")).isEqualTo(metrics.get(i).get("amp/loss_scale"));
      assertThat(again.get(i).get("grad_norm")).isEqualTo(metrics.get(i).get("grad_norm"));
    }
  }
}
