package dev.mm1.trainer.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.mm1.api.v1alpha1.ModelPreset;
import dev.mm1.model.MM1Model;
import dev.mm1.model.config.Presets;
import dev.mm1.model.io.SafetensorsFile;
import dev.mm1.model.tokenizer.MM1Tokenizer;
import dev.mm1.trainer.TestRuns;
import dev.mm1.trainer.checkpoint.CheckpointDirectory;
import dev.mm1.trainer.config.TrainingJob;
import dev.mm1.trainer.data.DataPipeline;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SFT starts from a pre-training checkpoint's weights with a fresh optimizer and trains on answers only. */
class SftTest {
  @TempDir
  Path dir;

  @Test
  void sftStartsFromThePretrainingWeightsWithAFreshOptimizer() throws Exception {
    var pretrain = dir.resolve("pretrain");
    TestRuns.run(TestRuns.job(TestRuns.pretraining("pretrain", ModelPreset.TINY, 40), pretrain, null, null));
    var init = new CheckpointDirectory(pretrain).latestValid(w -> { }).orElseThrow();

    var fromInit = dir.resolve("sft");
    var run = TestRuns.run(TestRuns.job(TestRuns.sft("sft", 5), fromInit,
        new TrainingJob.InitCheckpoint(init.dir(), init.manifestSha256()), null));
    assertThat(run.log()).contains("starting from the weights of " + init.dir() + " (step 40)");
    var scratch = dir.resolve("scratch");
    TestRuns.run(TestRuns.job(TestRuns.sft("scratch", 5), scratch, null, null));

    // Pre-training taught the model the shapes-world words: its SFT starts far lower than from scratch.
    double withInit = TestRuns.metrics(fromInit).getFirst().get("lm_loss").asDouble();
    double withoutInit = TestRuns.metrics(scratch).getFirst().get("lm_loss").asDouble();
    assertThat(withInit).isLessThan(withoutInit - 2);
    // A fresh optimizer: 5 updates, not 45; the step count restarts too.
    var sftCheckpoint = new CheckpointDirectory(fromInit).verified(5);
    try (var optimizer = SafetensorsFile.open(sftCheckpoint.optimizer())) {
      assertThat(optimizer.metadata().get("steps")).isEqualTo("5");
    }
  }

  @Test
  void anInitCheckpointOfAnotherModelOrReplacedAfterResolutionIsRefused() throws Exception {
    var other = dir.resolve("other");
    TestRuns.run(TestRuns.job(TestRuns.pretraining("other", ModelPreset.TINY_MOE, 1), other, null, null));
    var moe = new CheckpointDirectory(other).verified(1);
    assertThatThrownBy(() -> TestRuns.run(TestRuns.job(TestRuns.sft("sft", 1), dir.resolve("a"),
        new TrainingJob.InitCheckpoint(moe.dir(), null), null)))
        .isInstanceOf(Trainer.IncompatibleCheckpointException.class)
        .hasMessageContaining("does not fit this model").hasMessageContaining("decoder.layers.1.mlp.gate.weight");
    assertThatThrownBy(() -> TestRuns.run(TestRuns.job(TestRuns.sft("sft", 1), dir.resolve("b"),
        new TrainingJob.InitCheckpoint(moe.dir(), "0".repeat(64)), null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spec.init").hasMessageContaining("replaced");
  }

  @Test
  void onlyAssistantTurnsAreTargets() {
    var spec = TestRuns.sft("sft", 1).getSpec();
    var config = Presets.get("tiny");
    try (var tokenizer = MM1Tokenizer.load();
        var pipeline = DataPipeline.builder(spec.data).tokenizer(tokenizer).imageTokens(config.connector().imageTokens())
            .defaultResolution(32).batchSize(4).build();
        var manager = NDManager.newBaseManager()) {
      var batch = pipeline.nextBatch();
      var model = new MM1Model(config);
      var input = Trainer.modelBatch(batch.sequences(), config, true, manager);
      int supervised = 0;
      int text = 0;
      for (var sequence : batch.sequences()) {
        for (int i = 0; i < sequence.tokens().length; i++) {
          supervised += sequence.lossMask()[i];
          text += sequence.segmentIds()[i] != 0 && sequence.tokens()[i] != config.imageTokenId() ? 1 : 0;
        }
      }
      assertThat(model.targetCount(input)).isEqualTo(supervised);
      assertThat(supervised).isPositive().isLessThan(text / 2); // user turns and prompts are not trained on
    }
  }
}
