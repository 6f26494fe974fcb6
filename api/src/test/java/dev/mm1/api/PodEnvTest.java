package dev.mm1.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodEnvTest {
  /** What the operator sets on pod {@code nodeRank} of a 4-pod gang with 2 processes per pod. */
  static Map<String, String> pod(String nodeRank) {
    var env = new HashMap<String, String>();
    env.put("MM1_CONFIG", "/etc/mm1/config.json");
    env.put("NODE_RANK", nodeRank);
    env.put("NNODES", "4");
    env.put("NPROC_PER_NODE", "2");
    env.put("MASTER_ADDR", "tiny-pretrain-a2-0.tiny-pretrain-workers.team-a.svc");
    env.put("MASTER_PORT", "29500");
    env.put("MM1_RUN_ID", "42");
    env.put("MM1_CONTROL_PLANE_URL", "http://mm1-control-plane:8080");
    env.put("MM1_CONTROL_PLANE_TOKEN", "secret");
    env.put("MM1_CHECKPOINT_DIR", "/checkpoints/uid-1");
    env.put("MM1_ATTEMPT", "2");
    return env;
  }

  @Test
  void aProcessWithOnlyThePodVariablesIsLocalRankZero() {
    var env = PodEnv.from(pod("3"));
    assertThat(env).isEqualTo(new PodEnv(
        Path.of("/etc/mm1/config.json"), 3, 4, 2, 0, "tiny-pretrain-a2-0.tiny-pretrain-workers.team-a.svc", 29500, "42",
        Optional.of(URI.create("http://mm1-control-plane:8080")), Optional.of("secret"), Path.of("/checkpoints/uid-1"), 2));
    assertThat(env.rank()).isEqualTo(6);
    assertThat(env.worldSize()).isEqualTo(8);
    assertThat(env.localWorldSize()).isEqualTo(2);
  }

  @Test
  void theLauncherGivesEachProcessItsRanksAndTheyReadBack() {
    var pod = PodEnv.from(pod("1"));
    var second = pod.forProcess(1);
    var env = second.toEnv();
    assertThat(env).containsEntry("RANK", "3").containsEntry("LOCAL_RANK", "1").containsEntry("WORLD_SIZE", "8")
        .containsEntry("LOCAL_WORLD_SIZE", "2").containsEntry("NODE_RANK", "1");
    assertThat(PodEnv.from(env)).isEqualTo(second);
    assertThat(pod.podEnv()).doesNotContainKeys("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE");
    assertThat(pod.podEnv()).isEqualTo(pod("1"));
  }

  @Test
  void aLauncherThatSetsOnlyRankAndWorldSizeStillWorks() {
    var env = PodEnv.from(Map.of("MM1_CONFIG", "c.json", "MM1_RUN_ID", "r", "MM1_CHECKPOINT_DIR", "ckpt", "RANK", "2", "WORLD_SIZE", "3"));
    assertThat(env.rank()).isEqualTo(2);
    assertThat(env.worldSize()).isEqualTo(3);
    assertThat(env.nodeRank()).isEqualTo(2);
    assertThat(env.localRank()).isZero();
  }

  @Test
  void singleProcessDefaultsNeedOnlyConfigRunAndCheckpoints() {
    var env = PodEnv.from(Map.of("MM1_CONFIG", "c.json", "MM1_RUN_ID", "r", "MM1_CHECKPOINT_DIR", "ckpt"));
    assertThat(env.rank()).isZero();
    assertThat(env.worldSize()).isEqualTo(1);
    assertThat(env.masterPort()).isEqualTo(PodEnv.DEFAULT_MASTER_PORT);
    assertThat(env.attempt()).isEqualTo(1);
    assertThat(env.controlPlaneUrl()).isEmpty();
  }

  @Test
  void badValuesNameTheVariable() {
    assertThatThrownBy(() -> PodEnv.from(pod("4"))).hasMessage("NODE_RANK must be in [0, 3] for NNODES=4, got 4");
    assertThatThrownBy(() -> PodEnv.from(pod("two"))).hasMessage("environment variable NODE_RANK must be an integer, got 'two'");
    var rankTooHigh = pod("0");
    rankTooHigh.put("RANK", "8");
    assertThatThrownBy(() -> PodEnv.from(rankTooHigh)).hasMessage("RANK must be in [0, 7] for WORLD_SIZE=8, got 8");
    var contradiction = pod("0");
    contradiction.put("RANK", "5");
    contradiction.put("LOCAL_RANK", "0");
    assertThatThrownBy(() -> PodEnv.from(contradiction)).hasMessageStartingWith("environment variable RANK=5 contradicts");
    var noConfig = pod("0");
    noConfig.remove("MM1_CONFIG");
    assertThatThrownBy(() -> PodEnv.from(noConfig)).hasMessage("environment variable MM1_CONFIG is not set");
    var badUrl = pod("0");
    badUrl.put("MM1_CONTROL_PLANE_URL", "mm1-control-plane:8080");
    assertThatThrownBy(() -> PodEnv.from(badUrl))
        .hasMessage("environment variable MM1_CONTROL_PLANE_URL must be an http(s) URL, got 'mm1-control-plane:8080'");
    var badAttempt = pod("0");
    badAttempt.put("MM1_ATTEMPT", "0");
    assertThatThrownBy(() -> PodEnv.from(badAttempt)).hasMessage("MM1_ATTEMPT must be at least 1, got 0");
  }
}
