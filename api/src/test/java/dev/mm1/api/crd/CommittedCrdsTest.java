package dev.mm1.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** manifests/crds must be exactly what the build generates from the api classes. */
class CommittedCrdsTest {
  static final Path GENERATED = Path.of("target/crds");
  static final Path COMMITTED = Path.of("../manifests/crds");
  static final String REGENERATE = "regenerate with: ./mvnw -pl api -Pwrite-crds process-test-classes (then commit manifests/crds)";

  @Test
  void committedCrdsMatchTheGeneratedOnes() throws IOException {
    assertThat(names(COMMITTED)).as("CRD files in manifests/crds; " + REGENERATE).isEqualTo(names(GENERATED));
    for (var name : names(GENERATED)) {
      assertThat(Files.readString(COMMITTED.resolve(name)))
          .as("manifests/crds/%s differs from the generated CRD; %s", name, REGENERATE)
          .isEqualTo(Files.readString(GENERATED.resolve(name)));
    }
  }

  static java.util.List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".mm1.dev.yaml")).sorted().toList();
    }
  }
}
