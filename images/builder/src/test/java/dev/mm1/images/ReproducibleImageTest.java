package dev.mm1.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Jib builds on a small base tarball: the same inputs give the same digest and the same bytes
 * (whatever the files' times or the caches), and a change of our classes changes only our layer.
 */
class ReproducibleImageTest {
  static final TargetPlatform AMD64 = new TargetPlatform("linux", "amd64");
  @TempDir Path dir;
  BaseImage base;
  Path library;
  Path module;

  @BeforeEach
  void inputs() throws IOException {
    base = BaseImage.resolve("tar://" + TestFiles.baseTarball(dir.resolve("base.tar"), "amd64"), AMD64, false);
    library = TestFiles.jar(dir.resolve("in/libs/library-1.0.jar"), Map.of("lib/Library.class", "library bytes"));
    module = TestFiles.jar(dir.resolve("in/mm1/trainer-0.1.jar"), Map.of("dev/mm1/Trainer.class", "version 1"));
  }

  ImageRecipe recipe() {
    return new ImageRecipe("mm1", "title", "description",
        List.of(new ImageRecipe.Layer("libraries", false, List.of(ImageRecipe.Entry.file(library, "/app/libs/library-1.0.jar"))),
            new ImageRecipe.Layer("empty", false, List.of()),
            new ImageRecipe.Layer("mm1 modules", true, List.of(ImageRecipe.Entry.file(module, "/app/mm1/trainer-0.1.jar")))),
        List.of("java", "-cp", "@/app/classpath", "Main"), List.of("--help"), Map.of("HOME", ImageRecipe.HOME),
        ImageRecipe.HOME, List.of(8080));
  }

  ImageWriter.Built build(String run) {
    var writer = new ImageWriter(base, AMD64, new ImageWriter.Labels("0.1.0", "abc123", "https://example.org/mm1"),
        dir.resolve("cache-" + run), false, message -> { });
    return writer.build(recipe(), "example.org/mm1/mm1:0.1.0", dir.resolve("out-" + run + "/mm1.tar"), null);
  }

  @Test
  void theSameInputsMakeTheSameDigestAndTheSameBytes() throws IOException {
    var first = build("a");
    // Other file times and cold caches: nothing of either may reach the image.
    Files.setLastModifiedTime(library, FileTime.from(Instant.parse("2030-05-05T05:05:05Z")));
    Files.setLastModifiedTime(module, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
    var second = build("b");

    assertThat(second.archive().manifestDigest()).isEqualTo(first.archive().manifestDigest());
    assertThat(Files.readAllBytes(second.tarball())).isEqualTo(Files.readAllBytes(first.tarball()));
  }

  @Test
  void changingOurClassesChangesOnlyOurLayer() throws IOException {
    var before = build("a");
    TestFiles.jar(module, Map.of("dev/mm1/Trainer.class", "version 2"));
    var after = build("b");

    assertThat(after.archive().manifestDigest()).isNotEqualTo(before.archive().manifestDigest());
    var layersBefore = before.archive().layers();
    var layersAfter = after.archive().layers();
    assertThat(layersAfter).hasSameSizeAs(layersBefore).hasSize(3); // base, libraries, mm1 modules (empty skipped)
    assertThat(layersAfter.subList(0, 2)).isEqualTo(layersBefore.subList(0, 2));
    assertThat(layersAfter.get(2)).isNotEqualTo(layersBefore.get(2));
    assertThat(after.baseLayers()).isEqualTo(1);
    assertThat(after.ourBytes()).isEqualTo(layersAfter.get(2).size());
  }

  @Test
  void theConfigRunsAsTheNonRootUserWithLabelsAndAFixedCreationTime() {
    var config = build("a").archive().config();

    assertThat(config.path("created").asText()).isEqualTo("1970-01-01T00:00:00Z");
    assertThat(config.path("architecture").asText()).isEqualTo("amd64");
    var container = config.path("config");
    assertThat(container.path("User").asText()).isEqualTo("65532:65532");
    assertThat(container.path("Entrypoint").toString()).isEqualTo("[\"java\",\"-cp\",\"@/app/classpath\",\"Main\"]");
    assertThat(container.path("Cmd").toString()).isEqualTo("[\"--help\"]");
    assertThat(container.path("WorkingDir").asText()).isEqualTo("/home/mm1");
    assertThat(container.path("Env").toString()).contains("PATH=/usr/bin:/bin", "HOME=/home/mm1");
    assertThat(container.path("ExposedPorts").has("8080/tcp")).isTrue();
    var labels = container.path("Labels");
    assertThat(labels.path("org.opencontainers.image.source").asText()).isEqualTo("https://example.org/mm1");
    assertThat(labels.path("org.opencontainers.image.version").asText()).isEqualTo("0.1.0");
    assertThat(labels.path("org.opencontainers.image.revision").asText()).isEqualTo("abc123");
    assertThat(labels.path("org.opencontainers.image.base.name").asText()).isEqualTo("local/base.tar");
    assertThat(labels.path("org.opencontainers.image.title").asText()).isEqualTo("title");
  }
}
