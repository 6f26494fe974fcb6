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
  static Map<String, String> podOfRank(String rank) {
    var env = new HashMap<String, String>();
    env.put("MM1_CONFIG", "/etc/mm1/config.json");
    env.put("RANK", rank);
    env.put("WORLD_SIZE", "4");
    env.put("MASTER_ADDR", "tiny-pretrain-0.tiny-pretrain");
    env.put("MASTER_PORT", "29500");
    env.put("MM1_RUN_ID", "run-42");
    env.put("MM1_CONTROL_PLANE_URL", "http://mm1-control-plane:8080");
    env.put("MM1_CONTROL_PLANE_TOKEN", "secret");
    env.put("MM1_CHECKPOINT_DIR", "/checkpoints/tiny-pretrain");
    env.put("MM1_ATTEMPT", "2");
    return env;
  }

  @Test
  void readsTheWholeContract() {
    var env = PodEnv.from(podOfRank("3"));
    assertThat(env).isEqualTo(new PodEnv(
        Path.of("/etc/mm1/config.json"), 3, 4, "tiny-pretrain-0.tiny-pretrain", 29500, "run-42",
        Optional.of(URI.create("http://mm1-control-plane:8080")), Optional.of("secret"),
        Path.of("/checkpoints/tiny-pretrain"), 2));
  }

  @Test
  void roundTripsThroughVariables() {
    var env = PodEnv.from(podOfRank("1"));
    assertThat(PodEnv.from(env.toEnv())).isEqualTo(env);
    assertThat(env.toEnv()).isEqualTo(podOfRank("1"));
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
    assertThatThrownBy(() -> PodEnv.from(podOfRank("4")))
        .hasMessage("RANK must be in [0, 3] for WORLD_SIZE=4, got 4");
    assertThatThrownBy(() -> PodEnv.from(podOfRank("two")))
        .hasMessage("environment variable RANK must be an integer, got 'two'");
    var noConfig = podOfRank("0");
    noConfig.remove("MM1_CONFIG");
    assertThatThrownBy(() -> PodEnv.from(noConfig)).hasMessage("environment variable MM1_CONFIG is not set");
    var badUrl = podOfRank("0");
    badUrl.put("MM1_CONTROL_PLANE_URL", "mm1-control-plane:8080");
    assertThatThrownBy(() -> PodEnv.from(badUrl))
        .hasMessage("environment variable MM1_CONTROL_PLANE_URL must be an http(s) URL, got 'mm1-control-plane:8080'");
    var badAttempt = podOfRank("0");
    badAttempt.put("MM1_ATTEMPT", "0");
    assertThatThrownBy(() -> PodEnv.from(badAttempt)).hasMessage("MM1_ATTEMPT must be at least 1, got 0");
  }
}
