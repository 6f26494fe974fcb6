package dev.mm1.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mm1 image's layout: our modules apart from the libraries, libtorch unpacked, one explicit classpath. */
class Mm1ImageTest {
  @TempDir Path dir;
  Path repo;
  Path m2;
  Path cache;
  Path djl;
  Path natives;
  Path trainer;
  Path cli;

  @BeforeEach
  void classpath() throws IOException {
    repo = dir.resolve("repo");
    m2 = dir.resolve("m2");
    djl = TestFiles.jar(m2.resolve("ai/djl/api/0.36.0/api-0.36.0.jar"), Map.of("ai/djl/Engine.class", "engine"));
    natives = TestFiles.jar(m2.resolve("ai/djl/pytorch/pytorch-native-cpu/2.7.1/pytorch-native-cpu-2.7.1-linux-x86_64.jar"),
        Map.of("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n", "native/lib/pytorch.properties", "version=2.7.1\nflavor=cpu\n",
            "pytorch/cpu/linux-x86_64/libtorch_cpu.so", "450 MB of libtorch"));
    trainer = TestFiles.jar(repo.resolve("trainer-image/target/trainer-image-0.1.0-SNAPSHOT.jar"),
        Map.of("dev/mm1/trainer/TrainCommand.class", "trainer"));
    cli = TestFiles.jar(repo.resolve("cli/target/cli-0.1.0-SNAPSHOT.jar"), Map.of("dev/mm1/cli/ImageEntrypoint.class", "cli"));
    cache = Files.createDirectories(dir.resolve("djl-cache/pytorch/2.7.1-cpu-linux-x86_64"));
    Files.writeString(cache.resolve("libtorch.so"), "unpacked");
  }

  Path classpathFile(Path... entries) throws IOException {
    return Files.writeString(dir.resolve("mm1-classpath.txt"),
        String.join(":", java.util.Arrays.stream(entries).map(Path::toString).toList()) + "\n");
  }

  @Test
  void ourModulesGoLastTheNativeJarIsSlimmedAndTheClasspathKeepsMavensOrder() throws IOException {
    var classpath = Mm1Image.readClasspath(classpathFile(cli, djl, natives, trainer), repo);
    var recipe = Mm1Image.recipe(classpath, repo, dir.resolve("djl-cache"), Mm1Image.Flavour.cpu, dir.resolve("work"));

    assertThat(recipe.layers()).extracting(ImageRecipe.Layer::name, ImageRecipe.Layer::ours).containsExactly(
        org.assertj.core.groups.Tuple.tuple("DJL native libraries (libtorch unpacked)", false),
        org.assertj.core.groups.Tuple.tuple("libraries", false),
        org.assertj.core.groups.Tuple.tuple("launch (classpath, home)", false),
        org.assertj.core.groups.Tuple.tuple("mm1 modules", true));
    assertThat(targets(recipe, 0)).containsExactly("/app/djl-cache/pytorch/2.7.1-cpu-linux-x86_64/libtorch.so");
    assertThat(targets(recipe, 1)).containsExactly("/app/libs/api-0.36.0.jar", "/app/libs/pytorch-native-cpu-2.7.1-linux-x86_64.jar");
    assertThat(targets(recipe, 3)).containsExactly("/app/mm1/cli-0.1.0-SNAPSHOT.jar", "/app/mm1/trainer-image-0.1.0-SNAPSHOT.jar");

    var classpathEntry = recipe.layers().get(2).entries().get(0);
    assertThat(classpathEntry.target()).isEqualTo("/app/classpath");
    assertThat(Files.readString(classpathEntry.source())).isEqualTo("/app/mm1/cli-0.1.0-SNAPSHOT.jar:/app/libs/api-0.36.0.jar:"
        + "/app/libs/pytorch-native-cpu-2.7.1-linux-x86_64.jar:/app/mm1/trainer-image-0.1.0-SNAPSHOT.jar");
    var home = recipe.layers().get(2).entries().get(1);
    assertThat(home.target()).isEqualTo("/home/mm1");
    assertThat(home.ownership()).isEqualTo("65532:65532");

    // DJL still reads the platform descriptor from the native jar; the libraries are in the cache layer.
    var slim = recipe.layers().get(1).entries().get(1).source();
    try (var zip = new ZipFile(slim.toFile())) {
      assertThat(zip.stream().map(java.util.zip.ZipEntry::getName).toList())
          .containsExactly("META-INF/MANIFEST.MF", "native/lib/pytorch.properties");
    }
    assertThat(Files.size(slim)).isLessThan(Files.size(natives));

    assertThat(recipe.entrypoint()).startsWith("java").endsWith("-cp", "@/app/classpath", "dev.mm1.cli.ImageEntrypoint");
    assertThat(recipe.entrypoint()).contains("-Dai.djl.offline=true", "-XX:MaxRAMPercentage=40");
    assertThat(recipe.command()).containsExactly("--help");
    assertThat(recipe.environment()).containsEntry("DJL_CACHE_DIR", "/app/djl-cache").containsEntry("OPT_OUT_TRACKING", "true")
        .doesNotContainKey("NVIDIA_VISIBLE_DEVICES");
  }

  @Test
  void theGpuFlavourLeavesTheCpuNativesOutAndAsksForTheDriver() throws IOException {
    var classpath = Mm1Image.readClasspath(classpathFile(cli, djl, natives, trainer), repo);
    var recipe = Mm1Image.recipe(classpath, repo, dir.resolve("djl-cache"), Mm1Image.Flavour.gpu, dir.resolve("work"));

    assertThat(targets(recipe, 1)).containsExactly("/app/libs/api-0.36.0.jar");
    assertThat(recipe.environment()).containsEntry("NVIDIA_VISIBLE_DEVICES", "all");
    assertThat(recipe.title()).contains("CUDA");
  }

  @Test
  void classpathEntriesThatAreNotPackagedJarsOfThisBuildAreRefused() throws IOException {
    var classes = Files.createDirectories(repo.resolve("model/target/classes"));
    assertThatThrownBy(() -> Mm1Image.readClasspath(classpathFile(cli, classes), repo))
        .hasMessageContaining("classpath entry " + classes + " is a directory, not a jar")
        .hasMessageContaining("./mvnw -Pimages package");

    var stale = TestFiles.jar(m2.resolve("dev/mm1/model/0.1.0-SNAPSHOT/model-0.1.0-SNAPSHOT.jar"), Map.of("M.class", "old"));
    assertThatThrownBy(() -> Mm1Image.readClasspath(classpathFile(cli, stale), repo))
        .hasMessageContaining("is one of our modules from the local Maven repository, not from this build");

    var gone = m2.resolve("gone-1.0.jar");
    assertThatThrownBy(() -> Mm1Image.readClasspath(classpathFile(cli, gone), repo))
        .hasMessageContaining("classpath entry " + gone).hasMessageContaining("does not exist");

    assertThatThrownBy(() -> Mm1Image.readClasspath(dir.resolve("missing.txt"), repo))
        .hasMessageContaining("missing.txt does not exist: the mm1 image needs module images/mm1 built");
  }

  @Test
  void twoJarsWithOneFileNameAreRefused() throws IOException {
    var other = TestFiles.jar(m2.resolve("org/other/api/0.36.0/api-0.36.0.jar"), Map.of("org/Other.class", "x"));
    var classpath = Mm1Image.readClasspath(classpathFile(djl, other), repo);

    assertThatThrownBy(() -> Mm1Image.recipe(classpath, repo, dir.resolve("djl-cache"), Mm1Image.Flavour.cpu, dir.resolve("w")))
        .hasMessageContaining("two classpath entries have the file name api-0.36.0.jar");
  }

  @Test
  void onlyJarsWithoutClassesAndWithAPlatformDescriptorAreNativeLibraryJars() throws IOException {
    var tokenizers = TestFiles.jar(m2.resolve("tokenizers-0.36.0.jar"), Map.of("native/lib/tokenizers.properties", "version=1",
        "ai/djl/huggingface/tokenizers/HuggingFaceTokenizer.class", "classes too"));

    assertThat(NativeLibraryJars.among(List.of(djl, natives, tokenizers, trainer))).containsExactly(natives);
  }

  @Test
  void libtorchIsUnpackedOnlyForTheBuildMachinesPlatform() {
    var host = TargetPlatform.host();
    var other = new TargetPlatform("linux", "amd64".equals(host.architecture()) ? "arm64" : "amd64");

    assertThatThrownBy(() -> DjlNativeCache.bake(List.of(djl), dir.resolve("work"), false, other))
        .hasMessageContaining("carries DJL's native libraries for the machine that builds it (" + host + ")")
        .hasMessageContaining("-Dmm1.platform=" + host);
  }

  static List<String> targets(ImageRecipe recipe, int layer) {
    var targets = new ArrayList<String>();
    recipe.layers().get(layer).entries().forEach(e -> targets.add(e.target()));
    return targets;
  }
}
