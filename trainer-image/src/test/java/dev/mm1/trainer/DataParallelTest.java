package dev.mm1.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mm1.api.ExitCodes;
import dev.mm1.api.v1alpha1.ModelPreset;
import dev.mm1.model.io.SafetensorsFile;
import dev.mm1.trainer.checkpoint.Checkpoint;
import dev.mm1.trainer.checkpoint.CheckpointDirectory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training with real processes on 127.0.0.1, one compute thread each: 2 workers with
 * micro-batches of B train like 1 process with micro-batches of 2B (losses and weights within fp32
 * tolerance after 20 steps); ZeRO-1 trains like the unsharded optimizer and writes one optimizer
 * shard per rank; a killed worker makes the other exit with the peer-lost code naming it, and the
 * gang started again resumes exactly; a ZeRO-1 checkpoint of 2 ranks resumes on 1.
 */
class DataParallelTest {
  static final long STEPS = 20;
  /** fp32 tolerance: sums over ranks and micro-batches are added in other orders, and Adam carries the differences. */
  static final float WEIGHT_TOLERANCE = 2e-4f;
  static final double LOSS_TOLERANCE = 1e-4;

  @TempDir
  static Path shared;
  static Path spec;
  static Path single;
  static Path replicated;
  static Path zero;

  @BeforeAll
  static void trainThreeWays() throws Exception {
    var training = TestRuns.pretraining("ddp", ModelPreset.TINY, STEPS);
    training.getSpec().optimization.globalBatchSize = 4;
    training.getSpec().optimization.microBatchSize = 2;
    training.getSpec().checkpoints.everySteps = 5L;
    training.getSpec().checkpoints.keepLast = 4;
    spec = TestRuns.specFile(training, shared.resolve("ddp.yaml"));
    single = shared.resolve("single");
    replicated = shared.resolve("replicated");
    zero = shared.resolve("zero");
    run(single, "--set", "optimization.microBatchSize=4");
    run(replicated, "--nproc-per-node", "2", "--master-port", freePort());
    run(zero, "--nproc-per-node", "2", "--master-port", freePort(), "--set", "dataParallel.zeroStage=1");
  }

  private static void run(Path dir, String... args) throws Exception {
    var log = dir.resolveSibling(dir.getFileName() + ".log");
    var process = TestRuns.start(spec, dir, log, args);
    assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(log)).isZero();
  }

  static String freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return Integer.toString(socket.getLocalPort());
    }
  }

  static Map<String, float[]> weights(Path run, long step) throws Exception {
    var out = new LinkedHashMap<String, float[]>();
    try (var file = SafetensorsFile.open(new CheckpointDirectory(run).verified(step).model())) {
      for (var name : file.entries().keySet()) {
        out.put(name, file.readFloats(name));
      }
    }
    return out;
  }

  static void assertCloseWeights(Path expected, Path actual, long step) throws Exception {
    var a = weights(expected, step);
    var b = weights(actual, step);
    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (var name : a.keySet()) {
      float worst = 0;
      for (int i = 0; i < a.get(name).length; i++) {
        worst = Math.max(worst, Math.abs(a.get(name)[i] - b.get(name)[i]));
      }
      assertThat(worst).as("%s after step %d", name, step).isLessThan(WEIGHT_TOLERANCE);
    }
  }

  static void assertCloseLosses(Path expected, Path actual, long from) throws Exception {
    var a = TestRuns.metrics(expected);
    var b = TestRuns.metrics(actual);
    var lossesA = new LinkedHashMap<Long, Double>();
    var lossesB = new LinkedHashMap<Long, Double>();
    a.forEach(m -> lossesA.put(m.get("step").asLong(), m.get("lm_loss").asDouble()));
    b.forEach(m -> lossesB.put(m.get("step").asLong(), m.get("lm_loss").asDouble()));
    for (long step = from; step <= STEPS; step++) {
      assertThat(lossesB.get(step)).as("lm_loss at step %d", step)
          .isCloseTo(lossesA.get(step), org.assertj.core.data.Offset.offset(LOSS_TOLERANCE));
    }
  }

  @Test
  void twoWorkersTrainLikeOneProcessWithTheirCombinedMicroBatch() throws Exception {
    assertCloseLosses(single, replicated, 1);
    assertCloseWeights(single, replicated, STEPS);
    assertThat(TestRuns.metrics(replicated)).hasSize((int) STEPS); // rank 0 alone writes the metrics
    var log = Files.readString(shared.resolve("replicated.log"));
    assertThat(log).contains("started 2 workers (ranks 0..1 of 2)").contains("gang of 2 ranks formed");
  }

  @Test
  void zeroOneTrainsLikeTheUnshardedOptimizerAndWritesAShardPerRank() throws Exception {
    assertCloseLosses(replicated, zero, 1);
    assertCloseWeights(replicated, zero, STEPS);
    var checkpoint = new CheckpointDirectory(zero).verified(STEPS);
    assertThat(checkpoint.optimizerShards()).containsExactly(checkpoint.dir().resolve(Checkpoint.optimizerShardFile(0, 2)),
        checkpoint.dir().resolve(Checkpoint.optimizerShardFile(1, 2)));
    assertThat(checkpoint.optimizer()).doesNotExist();
    assertThat(ResumeTest.leftovers(zero)).isEmpty();
  }

  @Test
  void aZeroCheckpointOfTwoRanksResumesOnOne(@TempDir Path dir) throws Exception {
    var run = dir.resolve("run");
    TestRuns.runAsOf(zero, run, 10);
    var process = TestRuns.start(spec, run, dir.resolve("log"));
    assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
    var log = Files.readString(dir.resolve("log"));
    assertThat(process.exitValue()).as(log).isZero();
    assertThat(log).contains("resuming from").contains("(step 10,");
    assertCloseLosses(zero, run, 11);
    assertCloseWeights(zero, run, STEPS);
    assertThat(new CheckpointDirectory(run).verified(STEPS).optimizer()).exists(); // one process: one optimizer file
  }

  @Test
  void aKilledWorkerStopsTheOtherWithThePeerLostCodeAndTheGangResumesExactly(@TempDir Path dir) throws Exception {
    var run = dir.resolve("run");
    var port = freePort();
    var gang = startNodes(run, dir, "first", port);
    await().atMost(Duration.ofMinutes(5)).until(() -> lastStep(run) >= 8 || !gang.get(0).isAlive());
    gang.get(1).destroyForcibly(); // SIGKILL: its connections close, nothing is said
    assertThat(gang.get(1).waitFor(60, TimeUnit.SECONDS)).isTrue();
    // The bound: peer timeout (a closed connection is noticed at once) plus the stop grace; 90 s is far above it.
    assertThat(gang.get(0).waitFor(90, TimeUnit.SECONDS)).isTrue();
    var log = Files.readString(dir.resolve("first-0.log"));
    assertThat(gang.get(0).exitValue()).as(log).isEqualTo(ExitCodes.PEER_LOST);
    assertThat(log).contains("rank 1 (pid " + gang.get(1).pid()).contains("was lost").contains("(exit 75)");
    long killedAt = lastStep(run);
    assertThat(killedAt).isBetween(8L, STEPS - 1);

    var again = startNodes(run, dir, "second", freePort());
    for (int node = 0; node < 2; node++) {
      assertThat(again.get(node).waitFor(10, TimeUnit.MINUTES)).isTrue();
      assertThat(again.get(node).exitValue()).as(Files.readString(dir.resolve("second-" + node + ".log"))).isZero();
    }
    assertThat(Files.readString(dir.resolve("second-0.log"))).contains("resuming from").contains("(step " + killedAt / 5 * 5 + ",");
    assertThat(TestRuns.lossByStep(run)).isEqualTo(TestRuns.lossByStep(zero)); // bit for bit
    assertThat(ResumeTest.leftovers(run)).isEmpty();
  }

  @Test
  void inAPodWithSeveralProcessesTheEntrypointLaunchesThemAndExitsWithTheFirstFailure(@TempDir Path dir)
      throws Exception {
    // A pod of 2 processes whose config is missing: both workers fail at once with 64, as the pod must.
    var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), TrainCommand.class.getName(), "--threads", "1"));
    var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile());
    var env = builder.environment();
    dev.mm1.api.PodEnv.ALL_NAMES.forEach(env::remove);
    env.putAll(Map.of(dev.mm1.api.PodEnv.MM1_CONFIG, dir.resolve("missing.json").toString(), dev.mm1.api.PodEnv.NNODES, "1",
        dev.mm1.api.PodEnv.NODE_RANK, "0", dev.mm1.api.PodEnv.NPROC_PER_NODE, "2", dev.mm1.api.PodEnv.MM1_RUN_ID, "run",
        dev.mm1.api.PodEnv.MM1_CHECKPOINT_DIR, dir.toString()));
    var pod = builder.start();
    assertThat(pod.waitFor(2, TimeUnit.MINUTES)).isTrue();
    var log = Files.readString(dir.resolve("log"));
    assertThat(pod.exitValue()).as(log).isEqualTo(ExitCodes.INVALID_CONFIG);
    assertThat(log).contains("started 2 workers (ranks 0..1 of 2)").contains("missing.json").contains("exited with code 64");
  }

  /** Two one-worker nodes of a ZeRO-1 gang, as two launchers on this machine would be on two. */
  private static List<Process> startNodes(Path run, Path dir, String name, String port) throws IOException {
    var nodes = new ArrayList<Process>();
    for (int node = 0; node < 2; node++) {
      nodes.add(TestRuns.start(spec, run, dir.resolve(name + "-" + node + ".log"), "--nnodes", "2", "--node-rank",
          Integer.toString(node), "--master-port", port, "--set", "dataParallel.zeroStage=1"));
    }
    return nodes;
  }

  private static long lastStep(Path run) {
    try {
      var lines = Files.readAllLines(run.resolve("metrics.jsonl"));
      return lines.isEmpty() ? 0 : TestRuns.JSON.readTree(lines.getLast()).get("step").asLong();
    } catch (IOException e) {
      return 0;
    }
  }
}
