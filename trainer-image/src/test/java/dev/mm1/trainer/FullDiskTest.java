package dev.mm1.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.ExitCodes;
import dev.mm1.api.v1alpha1.ModelPreset;
import dev.mm1.trainer.checkpoint.CheckpointDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fills up while a checkpoint is written: the write fails, its temporary directory is
 * removed, the previous checkpoint stays valid, and the trainer exits with the retryable I/O code.
 * The disk is a real 40 MiB tmpfs (mounting one needs root, as CI runs; elsewhere the test is skipped).
 */
class FullDiskTest {
  @TempDir
  Path dir;
  Path mount;

  @AfterEach
  void unmount() throws Exception {
    if (mount != null) {
      new ProcessBuilder("umount", mount.toString()).start().waitFor();
    }
  }

  @Test
  void aFullDiskDuringACheckpointKeepsThePreviousOneValid() throws Exception {
    mount = Files.createDirectories(dir.resolve("small-disk"));
    var mounted = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", mount.toString())
        .redirectErrorStream(true).start();
    boolean ok = mounted.waitFor(10, TimeUnit.SECONDS) && mounted.exitValue() == 0;
    if (!ok) {
      mount = null;
    }
    Assumptions.assumeTrue(ok, "mounting a tmpfs needs root");

    // tiny's checkpoint is 30 MiB (weights and two moments): the first fits, the second cannot.
    var training = TestRuns.pretraining("full", ModelPreset.TINY, 6);
    training.getSpec().checkpoints.everySteps = 2L;
    training.getSpec().checkpoints.keepLast = 1;
    var spec = TestRuns.specFile(training, dir.resolve("full.yaml"));
    var run = mount.resolve("run");
    var process = TestRuns.start(spec, run, dir.resolve("log"));
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    var log = Files.readString(dir.resolve("log"));
    assertThat(process.exitValue()).as(log).isEqualTo(ExitCodes.IO_ERROR);
    assertThat(log).contains("writing checkpoint step-000000004").contains("the previous checkpoints are unchanged")
        .contains("(exit 74)");
    var checkpoints = new CheckpointDirectory(run);
    assertThat(checkpoints.steps()).containsExactly(2L);
    assertThat(checkpoints.verified(2).step()).isEqualTo(2);
    assertThat(ResumeTest.leftovers(run)).isEmpty();
  }
}
