package dev.mm1.local.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Container paths as local paths: mounts, file: URIs, JSON configs, node paths, entrypoints. */
class MountTableTest {
  final MountTable table = new MountTable(List.of(
      new MountTable.Mount("/data", Path.of("/home/u/mm1/data"), true),
      new MountTable.Mount("/checkpoints", Path.of("/home/u/.mm1/node/checkpoints/tiny-pretrain"), false),
      new MountTable.Mount("/checkpoints/extra", Path.of("/elsewhere"), false),
      new MountTable.Mount("/etc/mm1", Path.of("/home/u/.mm1/pods/default/p/volumes/config"), true)));

  @Test
  void pathsAndFileUrisUnderAMountBecomeLocalAndOthersStay() {
    assertThat(table.rewrite("/checkpoints/5f2a")).isEqualTo("/home/u/.mm1/node/checkpoints/tiny-pretrain/5f2a");
    assertThat(table.rewrite("file:///data/shapes/caption/shard-{000000..000003}.tar"))
        .isEqualTo("file:///home/u/mm1/data/shapes/caption/shard-{000000..000003}.tar");
    assertThat(table.rewrite("file:/data/x")).isEqualTo("file:/home/u/mm1/data/x");
    assertThat(table.rewrite("/etc/mm1/config.json")).isEqualTo("/home/u/.mm1/pods/default/p/volumes/config/config.json");
    // the deepest mount wins, and a longer name is not a sub-path
    assertThat(table.rewrite("/checkpoints/extra/a")).isEqualTo("/elsewhere/a");
    assertThat(table.rewrite("/datasets/x")).isEqualTo("/datasets/x");
    assertThat(table.rewrite("s3://bucket/data/x")).isEqualTo("s3://bucket/data/x");
    assertThat(table.rewrite("a caption with /data in it")).isEqualTo("a caption with /data in it");
  }

  @Test
  void everyStringOfAJsonConfigIsRewrittenAndNothingElse() throws Exception {
    var json = JsonMapper.builder().build();
    var config = json.readTree("""
        {"checkpoints":{"dir":"/checkpoints/uid","everySteps":50},
         "data":{"sources":[{"shards":"file:///data/shapes/sft/shard-{000000..000001}.tar","weight":1}]},
         "init":{"resolved":{"path":"/init-checkpoint/uid/step-000000300"}},"run":{"name":"tiny-sft"}}""");
    var rewritten = table.rewrite(config);
    assertThat(rewritten.path("checkpoints").path("dir").asText()).isEqualTo("/home/u/.mm1/node/checkpoints/tiny-pretrain/uid");
    assertThat(rewritten.path("checkpoints").path("everySteps").asInt()).isEqualTo(50);
    assertThat(rewritten.path("data").path("sources").get(0).path("shards").asText())
        .isEqualTo("file:///home/u/mm1/data/shapes/sft/shard-{000000..000001}.tar");
    assertThat(rewritten.path("init").path("resolved").path("path").asText()).isEqualTo("/init-checkpoint/uid/step-000000300");
    assertThat(rewritten.path("run").path("name").asText()).isEqualTo("tiny-sft");
  }

  @Test
  void nodePathsLiveUnderTheNodeRootExceptHostDirectories() {
    var node = new NodeConfig("n", Path.of("/home/u/.mm1/node"), Map.of("/data", Path.of("/home/u/mm1/data")), Path.of("/p"),
        Path.of("/repo/mm1"), Path.of("/jdk"), 4, 1L << 34, Path.of("/s"));
    assertThat(node.local("/checkpoints/tiny-pretrain")).isEqualTo(Path.of("/home/u/.mm1/node/checkpoints/tiny-pretrain"));
    assertThat(node.local("/data/shapes")).isEqualTo(Path.of("/home/u/mm1/data/shapes"));
    assertThat(node.local("/data")).isEqualTo(Path.of("/home/u/mm1/data"));
    assertThat(node.local("/database")).isEqualTo(Path.of("/home/u/.mm1/node/database"));
  }

  @Test
  void theMm1ImagesRunTheRepositorysMm1AndOtherImagesDoNot() {
    var mm1 = Path.of("/repo/mm1");
    var trainer = new ContainerBuilder().withName("trainer").withImage("ghcr.io/mm1-platform/trainer:latest").build();
    assertThat(Entrypoints.commandLine(trainer, mm1)).contains(List.of("/repo/mm1", "train"));
    var evaluator = new ContainerBuilder().withName("evaluator").withImage("registry.local:5000/evaluator@sha256:abc").build();
    assertThat(Entrypoints.commandLine(evaluator, mm1)).contains(List.of("/repo/mm1", "eval"));
    var withArgs = new ContainerBuilder().withImage("mm1:1.0").withCommand("mm1").withArgs("validate", "-f", "x.yaml").build();
    assertThat(Entrypoints.commandLine(withArgs, mm1)).contains(List.of("/repo/mm1", "validate", "-f", "x.yaml"));
    assertThat(Entrypoints.commandLine(new ContainerBuilder().withImage("nginx:1.27").build(), mm1)).isEmpty();
  }
}
