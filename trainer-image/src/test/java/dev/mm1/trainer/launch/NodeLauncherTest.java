package dev.mm1.trainer.launch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mm1.api.PodEnv;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pod's launcher gives each worker torchrun's variables; when one worker fails, the others are
 * stopped and the launcher exits with the failed worker's code.
 */
class NodeLauncherTest {
  @Test
  void aFailedWorkerStopsTheOthersAndItsCodeIsThePods(@TempDir Path dir) throws Exception {
    var pod = new PodEnv(dir.resolve("config.json"), 1, 2, 3, 0, "127.0.0.1", 29500, "run", Optional.empty(),
        Optional.empty(), dir, 1);
    var bytes = new ByteArrayOutputStream();
    int code;
    try (var err = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      code = new NodeLauncher(pod, FakeWorker.class, List.of(dir.toString(), "4", "65"), err).run();
    }
    assertThat(code).isEqualTo(65);
    var log = bytes.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("started 3 workers (ranks 3..5 of 6)")
        .contains("worker rank 4").contains("exited with code 65").contains("stopping the other workers");
    var pid = Long.toString(ProcessHandle.current().pid());
    assertThat(Files.readString(dir.resolve("rank-3"))).isEqualTo("3 0 6 3 1 " + pid);
    assertThat(Files.readString(dir.resolve("rank-4"))).isEqualTo("4 1 6 3 1 " + pid);
    assertThat(Files.readString(dir.resolve("rank-5"))).isEqualTo("5 2 6 3 1 " + pid);
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count()).isZero();
  }
}
