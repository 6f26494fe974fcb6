package dev.mm1.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Quarkus images keep Quarkus' own layering, with our modules apart from the libraries. */
class QuarkusImageTest {
  @TempDir Path dir;

  /** A fast-jar as quarkus-maven-plugin writes it (target/quarkus-app). */
  static Path fastJar(Path app) throws IOException {
    TestFiles.jar(app.resolve("quarkus-run.jar"), Map.of("META-INF/MANIFEST.MF", "Main-Class: io.quarkus.Runner\n"));
    TestFiles.jar(app.resolve("lib/boot/io.quarkus.quarkus-bootstrap-runner-3.33.2.jar"), Map.of("R.class", "r"));
    TestFiles.jar(app.resolve("lib/main/io.fabric8.kubernetes-client-7.5.2.jar"), Map.of("K.class", "k"));
    TestFiles.jar(app.resolve("lib/main/dev.mm1.api-0.1.0-SNAPSHOT.jar"), Map.of("dev/mm1/api/PodEnv.class", "p"));
    TestFiles.jar(app.resolve("app/operator-0.1.0-SNAPSHOT.jar"), Map.of("dev/mm1/operator/Op.class", "o"));
    TestFiles.jar(app.resolve("quarkus/generated-bytecode.jar"), Map.of("io/quarkus/runner/Gen.class", "g"));
    Files.writeString(app.resolve("quarkus/quarkus-application.dat"), "dat");
    Files.writeString(app.resolve("quarkus-app-dependencies.txt"), "not shipped");
    return app;
  }

  @Test
  void layersFollowQuarkusWithOurModulesAndTheApplicationLast() throws IOException {
    var app = fastJar(dir.resolve("quarkus-app"));

    var recipe = QuarkusImage.recipe("mm1-operator", "operator", app, "MM1 operator", "reconciles", Map.of(), dir.resolve("w"));

    assertThat(recipe.layers()).extracting(ImageRecipe.Layer::name).containsExactly("Quarkus boot libraries", "libraries",
        "launcher (run jar, home)", "mm1 modules", "application (module jar, Quarkus' generated classes)");
    assertThat(recipe.layers()).extracting(ImageRecipe.Layer::ours).containsExactly(false, false, false, true, true);
    assertThat(Mm1ImageTest.targets(recipe, 1)).containsExactly("/app/lib/main/io.fabric8.kubernetes-client-7.5.2.jar");
    assertThat(Mm1ImageTest.targets(recipe, 2)).containsExactly("/app/quarkus-run.jar", "/home/mm1");
    assertThat(Mm1ImageTest.targets(recipe, 3)).containsExactly("/app/lib/main/dev.mm1.api-0.1.0-SNAPSHOT.jar");
    assertThat(Mm1ImageTest.targets(recipe, 4)).containsExactly("/app/app/operator-0.1.0-SNAPSHOT.jar",
        "/app/quarkus/generated-bytecode.jar", "/app/quarkus/quarkus-application.dat");
    assertThat(recipe.entrypoint()).startsWith("java").endsWith("-jar", "/app/quarkus-run.jar")
        .contains("-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-XX:MaxRAMPercentage=75");
    assertThat(recipe.command()).isEmpty();
    assertThat(recipe.ports()).containsExactly(8080);
  }

  @Test
  void aModuleThatIsNotPackagedSaysHowToPackageIt() {
    assertThatThrownBy(() -> QuarkusImage.recipe("mm1-control-plane", "control-plane", dir.resolve("quarkus-app"), "t", "d",
        Map.of(), dir.resolve("w")))
        .hasMessageContaining("is not a Quarkus fast-jar of module control-plane (no quarkus-run.jar)")
        .hasMessageContaining("./mvnw -Pimages package");
  }
}
