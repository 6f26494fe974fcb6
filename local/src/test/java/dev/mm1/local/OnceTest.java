package dev.mm1.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./mm1 up --once}: the sample chain, shortened with --set to a few steps (far too few to
 * learn anything), runs to its end, the results table and one JSON object come out, the exit code
 * is the gate's verdict (failed: a model this untrained scores below the gate's minimums), and a
 * second run reuses what the first did. The chain that passes its gate is EndToEndTest's.
 */
class OnceTest {
  @TempDir Path dir;

  static final String[] SHORT = {
      "--set", "tiny-pretrain:optimization.steps=6", "--set", "tiny-pretrain:optimization.warmupSteps=1",
      "--set", "tiny-pretrain:checkpoints.everySteps=3",
      "--set", "tiny-sft:optimization.steps=4", "--set", "tiny-sft:optimization.warmupSteps=1", "--set", "tiny-sft:checkpoints.everySteps=2",
      "--timeout", "PT40M"};

  @Test
  void theChainRunsOnceReportsAndIsReusedTheSecondTime() throws Exception {
    boolean dataParallel = EndToEndTest.dataParallel();
    var args = new java.util.ArrayList<>(java.util.List.of("--once"));
    args.addAll(java.util.List.of(SHORT));
    if (!dataParallel) {
      args.addAll(java.util.List.of("--set", "tiny-pretrain:resources.nodes=1"));
    }
    try (var up = new Mm1Up(dir.resolve("home"), dir.resolve("data"))) {
      int code = up.start(args.toArray(String[]::new)).waitFor(Duration.ofMinutes(45));
      var out = up.output();
      var lines = out.strip().lines().toList();
      var summary = Mm1Up.JSON.readTree(lines.getLast());
      assertThat(Files.exists(dir.resolve("data/shapes/corpus.json"))).as("the data was written").isTrue();
      assertThat(out).contains("RUN", "tiny-pretrain", "tiny-sft", "tiny-eval-baseline", "tiny-eval");
      var runs = summary.path("runs");
      assertThat(runs.findValuesAsText("name")).containsExactly("tiny-pretrain", "tiny-sft", "tiny-eval-baseline", "tiny-eval");
      assertThat(runs.get(0).path("phase").asText()).isEqualTo("Succeeded");
      assertThat(runs.get(1).path("phase").asText()).isEqualTo("Succeeded");
      assertThat(runs.get(2).path("phase").asText()).as("an eval without a gate succeeds when it ran").isEqualTo("Succeeded");
      assertThat(runs.get(3).path("kind").asText()).isEqualTo("MM1Eval");
      assertThat(runs.get(3).path("phase").asText()).isEqualTo("GateFailed");
      assertThat(summary.path("split").has("startupSeconds")).isTrue();
      assertThat(summary.path("split").path("pretrainSeconds").asDouble()).isPositive();
      assertThat(summary.path("workingSeconds").asDouble()).isPositive().isLessThan(summary.path("wallSeconds").asDouble());
      assertThat(code).as("exit code of a failed gate").isEqualTo(1);
      assertThat(summary.path("gatePassed").asBoolean()).isFalse();
      assertThat(up.podProcesses()).as("--once leaves no pod running").isEmpty();

      int again = up.start(args.toArray(String[]::new)).waitFor(Duration.ofMinutes(10));
      var second = up.output().strip().lines().toList();
      var reused = Mm1Up.JSON.readTree(second.getLast());
      assertThat(again).isEqualTo(code);
      assertThat(reused.path("runs").get(0).path("reused").asBoolean()).isTrue();
      assertThat(reused.path("runs").get(1).path("reused").asBoolean()).isTrue();
    }
  }
}
