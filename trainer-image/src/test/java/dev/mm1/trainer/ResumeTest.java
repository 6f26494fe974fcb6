package dev.mm1.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mm1.api.ExitCodes;
import dev.mm1.api.v1alpha1.ModelPreset;
import dev.mm1.trainer.checkpoint.CheckpointDirectory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trainer process killed at any moment and started again continues from its newest valid
 * checkpoint, and every later step's loss equals the uninterrupted run's, bit for bit (CPU, one
 * thread). Real processes, real signals.
 */
class ResumeTest {
  static final long STEPS = 12;
  @TempDir
  static Path shared;
  static Path spec;
  static Path reference;

  @BeforeAll
  static void uninterrupted() throws Exception {
    var training = TestRuns.pretraining("resume", ModelPreset.TINY_MOE, STEPS);
    training.getSpec().checkpoints.everySteps = 4L;
    training.getSpec().checkpoints.keepLast = 3;
    spec = TestRuns.specFile(training, shared.resolve("resume.yaml"));
    reference = shared.resolve("reference");
    var process = TestRuns.start(spec, reference, shared.resolve("reference.log"));
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(shared.resolve("reference.log"))).isZero();
  }

  private static long lastStep(Path run) {
    try {
      var lines = Files.readAllLines(run.resolve("metrics.jsonl"));
      return lines.isEmpty() ? 0 : TestRuns.JSON.readTree(lines.getLast()).get("step").asLong();
    } catch (IOException e) {
      return 0;
    }
  }

  @Test
  void sigkillMidRunResumesWithBitIdenticalLosses(@TempDir Path dir) throws Exception {
    var run = dir.resolve("run");
    var first = TestRuns.start(spec, run, dir.resolve("first.log"));
    await().atMost(Duration.ofMinutes(3)).until(() -> lastStep(run) >= 6 || !first.isAlive());
    first.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
    first.waitFor();
    assertThat(first.exitValue()).isEqualTo(137);
    long killedAt = lastStep(run);
    assertThat(killedAt).isBetween(6L, STEPS - 1);

    var second = TestRuns.start(spec, run, dir.resolve("second.log"));
    assertThat(second.waitFor(5, TimeUnit.MINUTES)).isTrue();
    var log = Files.readString(dir.resolve("second.log"));
    assertThat(second.exitValue()).as(log).isZero();
    long resumedFrom = killedAt / 4 * 4;
    assertThat(log).contains("resuming from").contains("step " + resumedFrom);

    var expected = TestRuns.lossByStep(reference);
    var actual = TestRuns.lossByStep(run);
    assertThat(actual).isEqualTo(expected); // every step, the recomputed ones as recorded last
    var metrics = TestRuns.metrics(run);
    var afterResume = metrics.stream().filter(m -> m.has("goodput/recomputed_steps")).findFirst().orElseThrow();
    assertThat(afterResume.get("step").asLong()).isEqualTo(resumedFrom + 1);
    assertThat(afterResume.get("goodput/recomputed_steps").asLong()).isEqualTo(killedAt - resumedFrom);
    assertThat(leftovers(run)).isEmpty();
  }

  @Test
  void aCorruptNewestCheckpointIsSkippedWithAWarningNamingIt(@TempDir Path dir) throws Exception {
    var run = dir.resolve("run");
    var first = TestRuns.start(spec, run, dir.resolve("first.log"), "--set", "optimization.steps=8");
    assertThat(first.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(first.exitValue()).isZero();
    var newest = run.resolve(CheckpointDirectory.name(8)).resolve("model.safetensors");
    try (var file = new RandomAccessFile(newest.toFile(), "rw")) {
      file.seek(file.length() / 2);
      int b = file.read();
      file.seek(file.length() / 2);
      file.write(b ^ 0x10); // one flipped bit
    }
    var second = TestRuns.start(spec, run, dir.resolve("second.log"));
    assertThat(second.waitFor(5, TimeUnit.MINUTES)).isTrue();
    var log = Files.readString(dir.resolve("second.log"));
    assertThat(second.exitValue()).as(log).isZero();
    assertThat(log).contains("skipping checkpoint " + run.resolve(CheckpointDirectory.name(8)))
        .contains("corrupted").contains("resuming from").contains("(step 4,");
    assertThat(TestRuns.lossByStep(run)).isEqualTo(TestRuns.lossByStep(reference));
    // The damaged step 8 was replaced by the recomputed one, which verifies.
    assertThat(new CheckpointDirectory(run).verified(8).step()).isEqualTo(8);
  }

  @Test
  void sigtermExitsPromptlyWithARetryableCodeAndNothingHalfWritten(@TempDir Path dir) throws Exception {
    var run = dir.resolve("run");
    var process = TestRuns.start(spec, run, dir.resolve("log"), "--set", "checkpoints.everySteps=1",
        "--set", "optimization.steps=200");
    await().atMost(Duration.ofMinutes(3)).until(() -> lastStep(run) >= 3 || !process.isAlive());
    process.destroy(); // SIGTERM
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    var log = Files.readString(dir.resolve("log"));
    assertThat(process.exitValue()).as(log).isEqualTo(ExitCodes.TERMINATED);
    assertThat(log).contains("stopped by SIGTERM");
    assertThat(leftovers(run)).isEmpty();
    var checkpoints = new CheckpointDirectory(run);
    for (long step : checkpoints.steps()) {
      assertThat(checkpoints.verified(step).step()).isEqualTo(step);
    }
  }

  static java.util.List<Path> leftovers(Path run) throws IOException {
    try (Stream<Path> entries = Files.list(run)) {
      return entries.filter(p -> p.getFileName().toString().startsWith(".")).toList();
    }
  }
}
