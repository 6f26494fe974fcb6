package dev.mm1.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The images of our Quarkus applications, {@code mm1-operator} and {@code mm1-control-plane},
 * made from the module's fast-jar ({@code target/quarkus-app}) with the layering of Quarkus' own
 * Jib extension: boot libraries, libraries, our modules among the libraries, the run jar, then the
 * application and Quarkus' generated classes. (That extension writes only to a Docker daemon or a
 * registry, neither of which a build machine here has, so this builder lays out the same layers.)
 */
public final class QuarkusImage {
  /**
   * JVM flags: a heap of 75 % of the container's memory limit (these are pure-Java services), and
   * the JBoss log manager Quarkus' launcher expects.
   */
  static final List<String> JVM_FLAGS = List.of(
      "-XX:MaxRAMPercentage=75",
      "-XX:+ExitOnOutOfMemoryError",
      "-XX:-UsePerfData",
      "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
      "--enable-native-access=ALL-UNNAMED");

  private QuarkusImage() {}

  /**
   * The recipe of the image of module {@code module}, whose fast-jar is {@code app}.
   *
   * @param workDir where the home directory's empty source directory lives
   */
  static ImageRecipe recipe(String name, String module, Path app, String title, String description,
      Map<String, String> environment, Path workDir) {
    for (var part : List.of("quarkus-run.jar", "lib/boot", "lib/main", "app", "quarkus")) {
      if (!Files.exists(app.resolve(part))) {
        throw ImageBuildException.invalid(app + " is not a Quarkus fast-jar of module " + module + " (no " + part
            + "); run ./mvnw -Pimages package from the repository root, which packages " + module + " first");
      }
    }
    var root = ImageRecipe.APP;
    var libraries = new ArrayList<ImageRecipe.Entry>();
    var modules = new ArrayList<ImageRecipe.Entry>();
    for (var jar : files(app.resolve("lib/main"))) {
      var name1 = jar.getFileName().toString();
      // Quarkus names them groupId.artifactId-version.jar; ours change with our classes.
      var ours = name1.startsWith("dev.mm1.") || name1.contains("-SNAPSHOT");
      (ours ? modules : libraries).add(ImageRecipe.Entry.file(jar, root + "/lib/main/" + name1));
    }
    var launcher = new ArrayList<ImageRecipe.Entry>();
    launcher.add(ImageRecipe.Entry.file(app.resolve("quarkus-run.jar"), root + "/quarkus-run.jar"));
    launcher.add(Mm1Image.home(workDir));
    var application = new ArrayList<ImageRecipe.Entry>();
    application.addAll(Mm1Image.tree(app.resolve("app"), root + "/app"));
    application.addAll(Mm1Image.tree(app.resolve("quarkus"), root + "/quarkus"));

    var entrypoint = new ArrayList<String>();
    entrypoint.add("java");
    entrypoint.addAll(JVM_FLAGS);
    entrypoint.addAll(List.of("-jar", root + "/quarkus-run.jar"));
    var env = new java.util.LinkedHashMap<String, String>();
    env.put("HOME", ImageRecipe.HOME);
    env.putAll(environment);
    return new ImageRecipe(name, title, description,
        List.of(
            new ImageRecipe.Layer("Quarkus boot libraries", false, Mm1Image.tree(app.resolve("lib/boot"), root + "/lib/boot")),
            new ImageRecipe.Layer("libraries", false, libraries),
            new ImageRecipe.Layer("launcher (run jar, home)", false, launcher),
            new ImageRecipe.Layer("mm1 modules", true, modules),
            new ImageRecipe.Layer("application (module jar, Quarkus' generated classes)", true, application)),
        entrypoint,
        List.of(),
        env,
        ImageRecipe.HOME,
        List.of(Ports.HTTP));
  }

  private static List<Path> files(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
