package dev.mm1.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A base that cannot be used is one sentence naming it and the fix, before Jib runs. */
class BaseImageTest {
  static final TargetPlatform AMD64 = new TargetPlatform("linux", "amd64");
  @TempDir Path dir;

  @Test
  void aBaseTarballDeclaringThePlatformIsUsedAsJibsTarBase() throws IOException {
    var tarball = TestFiles.baseTarball(dir.resolve("base.tar"), "amd64");

    var base = BaseImage.resolve("tar://" + tarball, AMD64, false);

    assertThat(base).isEqualTo(new BaseImage.Tarball(tarball, AMD64));
    assertThat(base.jibReference()).isEqualTo("tar://" + tarball.toAbsolutePath());
    assertThat(base.labelName()).isEqualTo("local/base.tar");
  }

  @Test
  void aMissingTarballSaysHowToMakeOne() {
    var missing = dir.resolve("nowhere/base.tar");

    assertThatThrownBy(() -> BaseImage.resolve("tar://" + missing, AMD64, false))
        .isInstanceOfSatisfying(ImageBuildException.class, e -> assertThat(e.exitCode()).isEqualTo(ImageBuildException.INVALID_INPUT))
        .hasMessageContaining("base image tarball " + missing + " does not exist")
        .hasMessageContaining("images/base/make-base.sh")
        .hasMessageContaining("-Dmm1.base=eclipse-temurin:25-jre");
  }

  @Test
  void aBaseForAnotherArchitectureIsRefusedNamingBoth() throws IOException {
    var tarball = TestFiles.baseTarball(dir.resolve("arm.tar"), "arm64");

    assertThatThrownBy(() -> BaseImage.resolve("tar://" + tarball, AMD64, false))
        .hasMessageContaining("is for linux/arm64, but the images are built for linux/amd64")
        .hasMessageContaining("-Dmm1.platform=linux/arm64");
  }

  @Test
  void anOciArchiveIsRecognisedAndTheConversionNamed() throws IOException {
    var oci = dir.resolve("oci.tar");
    try (var out = Files.newOutputStream(oci)) {
      TestFiles.writeTar(out, Map.of("index.json", "{}".getBytes(), "oci-layout", "{}".getBytes()));
    }

    assertThatThrownBy(() -> BaseImage.resolve("tar://" + oci, AMD64, false))
        .hasMessageContaining("has no manifest.json")
        .hasMessageContaining("skopeo copy oci-archive:" + oci + " docker-archive:base.tar");
  }

  @Test
  void aFileThatIsNoArchiveIsNamed() throws IOException {
    var text = Files.writeString(dir.resolve("notes.tar"), "these are not the layers you are looking for");

    assertThatThrownBy(() -> BaseImage.resolve("tar://" + text, AMD64, false))
        .isInstanceOf(ImageBuildException.class)
        .hasMessageContaining("base image tarball " + text);
  }

  @Test
  void anUnreachableRegistryIsARegistryErrorWithTheLocalBaseAsTheWayOut() {
    assertThatThrownBy(() -> BaseImage.resolve("localhost:1/library/eclipse-temurin:25-jre", AMD64, false))
        .isInstanceOfSatisfying(ImageBuildException.class, e -> assertThat(e.exitCode()).isEqualTo(ImageBuildException.REGISTRY))
        .hasMessageContaining("is pulled from localhost:1, which this machine cannot reach")
        .hasMessageContaining("images/base/make-base.sh");
  }

  @Test
  void offlineARegistryBaseIsLeftToJibsCache() {
    assertThat(BaseImage.resolve("localhost:1/library/eclipse-temurin:25-jre", AMD64, true))
        .isInstanceOf(BaseImage.Registry.class);
  }

  @Test
  void aDockerDaemonBaseOrAMalformedNameIsRefused() {
    assertThatThrownBy(() -> BaseImage.resolve("docker://eclipse-temurin:25-jre", AMD64, false))
        .hasMessageContaining("would need a Docker daemon");
    assertThatThrownBy(() -> BaseImage.resolve("Eclipse Temurin 25", AMD64, false))
        .hasMessageContaining("is neither tar:///path/base.tar nor an image reference");
    assertThatThrownBy(() -> BaseImage.resolve(" ", AMD64, false))
        .hasMessageContaining("no base image given");
  }

  @Test
  void platformsParseAsOsSlashArchitecture() {
    assertThat(TargetPlatform.parse("linux/arm64", "--platform")).isEqualTo(new TargetPlatform("linux", "arm64"));
    assertThatThrownBy(() -> TargetPlatform.parse("amd64", "-Dmm1.platform"))
        .hasMessageContaining("-Dmm1.platform is 'amd64'; expected linux/ARCHITECTURE");
    assertThatThrownBy(() -> TargetPlatform.parse("windows/amd64", "-Dmm1.platform"))
        .hasMessageContaining("expected linux/ARCHITECTURE");
  }
}
