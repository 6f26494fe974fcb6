package dev.mm1.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.ExitCodes;
import dev.mm1.api.v1alpha1.ModelPreset;
import dev.mm1.trainer.data.TestCorpus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad inputs get one clear line naming the thing, and the documented exit code. */
class TrainCommandTest {
  @TempDir
  static Path dir;
  static Path spec;

  record Outcome(int code, String err) {}

  @BeforeAll
  static void writeSpec() throws Exception {
    spec = TestRuns.specFile(TestRuns.pretraining("cli", ModelPreset.TINY, 2), dir.resolve("cli.yaml"));
  }

  static Outcome train(String... args) {
    var all = new ArrayList<>(List.of(args));
    if (!all.contains("--data-root")) {
      all.addAll(List.of("--data-root", TestCorpus.root().toString()));
    }
    all.addAll(List.of("--threads", "1"));
    var bytes = new ByteArrayOutputStream();
    var original = System.err;
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      int code = new CommandLine(new TrainCommand()).execute(all.toArray(String[]::new));
      return new Outcome(code, bytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
    }
  }

  @Test
  void aMissingSpecFileIsNamed() {
    var outcome = train("-f", dir.resolve("nope.yaml").toString(), "--run-dir", dir.resolve("a").toString());
    assertThat(outcome.code()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(outcome.err()).contains("nope.yaml").contains("does not exist");
  }

  @Test
  void anInvalidSpecNamesTheField() throws Exception {
    var bad = dir.resolve("bad.yaml");
    Files.writeString(bad, Files.readString(spec).replace("preset: \"tiny\"", "preset: \"tiny-xl\""));
    var outcome = train("-f", bad.toString(), "--run-dir", dir.resolve("b").toString());
    assertThat(outcome.code()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(outcome.err()).contains("$.spec.model.preset").contains("tiny-moe");
  }

  @Test
  void overridesAreValidatedLikeTheSpec() {
    var outcome = train("-f", spec.toString(), "--run-dir", dir.resolve("c").toString(), "--set", "optimization.steps=-3");
    assertThat(outcome.code()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(outcome.err()).contains("$.spec.optimization.steps");
    var typo = train("-f", spec.toString(), "--run-dir", dir.resolve("c").toString(), "--set", "optimisation.steps=3");
    assertThat(typo.code()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(typo.err()).contains("$.spec.optimisation");
  }

  @Test
  void dataThatCannotFitTheModelNamesTheFields() {
    var outcome = train("-f", spec.toString(), "--run-dir", dir.resolve("d").toString(), "--set", "data.sequenceLength=3",
        "--set", "data.sequenceLength=16", "--set", "model.connector.imageTokens=25");
    assertThat(outcome.code()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(outcome.err()).contains("spec.model.connector.imageTokens 25");
  }

  @Test
  void emptyDataIsNamed() throws Exception {
    var empty = Files.createDirectories(dir.resolve("empty-data/caption"));
    var outcome = train("-f", spec.toString(), "--run-dir", dir.resolve("e").toString(), "--data-root",
        empty.getParent().toString());
    assertThat(outcome.code()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(outcome.err()).contains("data.sources[0].shards").contains("names no shards");
  }

  @Test
  void precisionTheHardwareCannotRunIsRefused() {
    var outcome = train("-f", spec.toString(), "--run-dir", dir.resolve("f").toString(), "--set", "optimization.precision=BF16");
    assertThat(outcome.code()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(outcome.err()).contains("$.spec.optimization.precision").contains("needs GPUs");
    // A spec for GPU nodes that lands on a machine without one.
    var gpuSpec = train("-f", spec.toString(), "--run-dir", dir.resolve("f").toString(), "--set", "optimization.precision=FP16",
        "--set", "resources.gpusPerNode=1");
    assertThat(gpuSpec.code()).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(gpuSpec.err()).contains("spec.optimization.precision FP16").contains("no GPU");
  }

  @Test
  void anUnwritableRunDirectoryIsAnIoError() throws Exception {
    var file = Files.writeString(dir.resolve("not-a-directory"), "x");
    var outcome = train("-f", spec.toString(), "--run-dir", file.resolve("run").toString());
    assertThat(outcome.code()).isEqualTo(ExitCodes.IO_ERROR);
    assertThat(outcome.err()).contains("not-a-directory");
  }

  @Test
  void resumingUnderAnotherModelIsRefusedNamingWhatChanged() {
    var run = dir.resolve("g").toString();
    assertThat(train("-f", spec.toString(), "--run-dir", run).code()).isZero();
    var outcome = train("-f", spec.toString(), "--run-dir", run, "--set", "model.decoder.width=64",
        "--set", "optimization.steps=4");
    assertThat(outcome.code()).isEqualTo(ExitCodes.INCOMPATIBLE_CHECKPOINT);
    assertThat(outcome.err()).contains("spec.model.decoder").contains("step-000000002");
    // Resumable fields may change: more steps continue the run.
    var longer = train("-f", spec.toString(), "--run-dir", run, "--set", "optimization.steps=3");
    assertThat(longer.code()).as(longer.err()).isZero();
    assertThat(longer.err()).contains("resuming from").contains("finished at step 3");
  }

  @Test
  void aLossThatStaysNonFiniteStopsTheRunAsDiverged() {
    var outcome = train("-f", spec.toString(), "--run-dir", dir.resolve("h").toString(), "--set", "optimization.steps=40",
        "--set", "optimization.learningRate=1e30", "--set", "optimization.gradClip=0",
        "--set", "optimization.maxConsecutiveSkips=3", "--set", "optimization.warmupSteps=0");
    assertThat(outcome.code()).as(outcome.err()).isEqualTo(ExitCodes.DIVERGED);
    assertThat(outcome.err()).contains("3 steps in a row").contains("not finite; update skipped");
  }
}
