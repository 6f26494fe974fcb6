package dev.mm1.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command as ./mvnw -Pimages package runs it: tarballs, digests, the report, and one-line errors. */
class BuildImagesCommandTest {
  @TempDir Path dir;
  Path repo;
  Path base;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void repository() throws IOException {
    repo = dir.resolve("repo");
    QuarkusImageTest.fastJar(repo.resolve("operator/target/quarkus-app"));
    base = TestFiles.baseTarball(dir.resolve("base.tar"), "amd64");
  }

  int run(String... extra) {
    var args = new ArrayList<>(List.of("--repo=" + repo, "--out=" + dir.resolve("images"), "--work=" + dir.resolve("work"),
        "--base=tar://" + base, "--image-registry=ghcr.io/mm1-platform", "--tag=0.1.0", "--version=0.1.0",
        "--revision=abc123", "--source=https://example.org/mm1", "--only=mm1-operator"));
    args.addAll(List.of(extra));
    var command = new BuildImagesCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    var line = new CommandLine(command);
    line.setExecutionExceptionHandler((e, cl, parsed) -> {
      if (e instanceof ImageBuildException known) {
        err.writeBytes(known.getMessage().getBytes(StandardCharsets.UTF_8));
        return known.exitCode();
      }
      throw e;
    });
    return line.execute(args.toArray(String[]::new));
  }

  @Test
  void writesTheTarballItsDigestAndAReportWithTheLayerSplit() throws IOException {
    assertThat(run()).isZero();

    var images = dir.resolve("images");
    var stdout = out.toString(StandardCharsets.UTF_8).strip().split("\n");
    var report = new ObjectMapper().readTree(stdout[stdout.length - 1]);
    var image = report.path("images").path(0);
    assertThat(image.path("name").asText()).isEqualTo("mm1-operator");
    assertThat(image.path("reference").asText()).isEqualTo("ghcr.io/mm1-platform/mm1-operator:0.1.0");
    assertThat(Files.readString(images.resolve("mm1-operator.digest")).strip()).isEqualTo(image.path("digest").asText());
    assertThat(OciArchive.read(images.resolve("mm1-operator.tar")).manifestDigest()).isEqualTo(image.path("digest").asText());
    assertThat(Files.readString(images.resolve("images.json")).strip()).isEqualTo(stdout[stdout.length - 1]);
    var layerNames = new ArrayList<String>();
    image.path("layers").forEach(l -> layerNames.add(l.path("name").asText()));
    assertThat(layerNames).containsExactly("base", "Quarkus boot libraries", "libraries", "launcher (run jar, home)",
        "mm1 modules", "application (module jar, Quarkus' generated classes)");
    long ours = 0;
    for (var layer : image.path("layers")) {
      ours += layer.path("ours").asBoolean() ? layer.path("bytes").asLong() : 0;
    }
    assertThat(image.path("ourClassesBytes").asLong()).isEqualTo(ours).isPositive();
    assertThat(image.path("ourClassesShare").asDouble()).isEqualTo((double) ours / image.path("bytes").asLong());
    assertThat(stdout[0]).startsWith("image").contains("our classes MB", "share");
    assertThat(Files.exists(images.resolve("mm1.tar"))).isFalse();
  }

  @Test
  void anUnreachableRegistryToPushToIsExitThreeWithTheWayOut() {
    assertThat(run("--push-registry=localhost:1/team")).isEqualTo(ImageBuildException.REGISTRY);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("-Dmm1.registry names localhost:1, which this machine cannot reach")
        .contains("leave -Dmm1.registry out to write the tarballs only");
  }

  @Test
  void badOptionsAreExitTwoNamingTheOption() {
    assertThat(run("--only=mm1-ui")).isEqualTo(ImageBuildException.INVALID_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--only names 'mm1-ui'; the images are mm1, mm1-operator, mm1-control-plane");

    err.reset();
    assertThat(run("--platform=linux/arm64")).isEqualTo(ImageBuildException.INVALID_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("is for linux/amd64, but the images are built for linux/arm64");
  }
}
