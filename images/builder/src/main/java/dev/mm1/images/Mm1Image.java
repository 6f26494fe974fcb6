package dev.mm1.images;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code mm1} image: the launcher, trainer and evaluator (module {@code images/mm1}'s runtime
 * classpath) with DJL's native libraries unpacked at build time. Its entrypoint is the launcher's
 * {@code dev.mm1.cli.ImageEntrypoint}, so {@code mm1 train}, {@code mm1 eval}, ... are its
 * commands; the operator's pods pass {@code train} or {@code eval}.
 */
public final class Mm1Image {
  static final String LIBS = ImageRecipe.APP + "/libs";
  static final String MODULES = ImageRecipe.APP + "/mm1";
  static final String CLASSPATH_FILE = ImageRecipe.APP + "/classpath";
  static final String DJL_CACHE = ImageRecipe.APP + "/djl-cache";
  static final String MAIN_CLASS = "dev.mm1.cli.ImageEntrypoint";

  /**
   * JVM flags. The heap is 40 % of the container's memory limit: libtorch keeps tensors outside the
   * heap, so the rest is for them. {@code JAVA_TOOL_OPTIONS=-Xmx...} in the pod overrides the share.
   */
  static final List<String> JVM_FLAGS = List.of(
      "-XX:MaxRAMPercentage=40",
      "-XX:+ExitOnOutOfMemoryError",
      // No /tmp/hsperfdata file: the image also runs with a read-only root filesystem.
      "-XX:-UsePerfData",
      "-Djava.awt.headless=true",
      "--enable-native-access=ALL-UNNAMED",
      "-Dai.djl.offline=true",
      "-Dai.djl.default_engine=PyTorch");

  private Mm1Image() {}

  /** Which libtorch the image carries. */
  public enum Flavour {
    /** CPU libtorch from the {@code pytorch-native-cpu} jar. */
    cpu,
    /** CUDA libtorch, which DJL downloads from its own distribution while the image is built. */
    gpu
  }

  /** Reads a module's {@code target/mm1-classpath.txt}; every entry must be a packaged jar of this build. */
  static List<Path> readClasspath(Path classpathFile, Path repo) {
    if (!Files.isRegularFile(classpathFile)) {
      throw ImageBuildException.invalid(classpathFile + " does not exist: the mm1 image needs module images/mm1 built; run"
          + " ./mvnw -Pimages package from the repository root");
    }
    String text;
    try {
      text = Files.readString(classpathFile).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    var root = repo.toAbsolutePath().normalize();
    var classpath = new ArrayList<Path>();
    for (var entry : text.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      var path = Path.of(entry).toAbsolutePath().normalize();
      if (Files.isDirectory(path)) {
        throw ImageBuildException.invalid("classpath entry " + path + " is a directory, not a jar: the images are made of"
            + " packaged modules; run ./mvnw -Pimages package from the repository root (not compile, not -pl without -am)");
      }
      if (!Files.isRegularFile(path)) {
        throw ImageBuildException.invalid("classpath entry " + path + " (from " + classpathFile + ") does not exist; run"
            + " ./mvnw -Pimages package from the repository root");
      }
      if (!path.startsWith(root) && path.toString().contains(File.separator + "dev" + File.separator + "mm1" + File.separator)) {
        throw ImageBuildException.invalid("classpath entry " + path + " is one of our modules from the local Maven"
            + " repository, not from this build (it may be stale); run ./mvnw -Pimages package from the repository root so"
            + " every module comes from " + root);
      }
      classpath.add(path);
    }
    if (classpath.isEmpty()) {
      throw ImageBuildException.invalid(classpathFile + " is empty; run ./mvnw -Pimages package from the repository root");
    }
    return classpath;
  }

  /**
   * The image's recipe. Jars built by this reactor (under {@code repo}) are our modules, in the
   * last layer; native-library jars are replaced by slim jars (their libraries are in
   * {@code djlCache}) or, for the GPU flavour, left out.
   *
   * @param workDir where the classpath file and slim jars are written
   */
  static ImageRecipe recipe(List<Path> classpath, Path repo, Path djlCache, Flavour flavour, Path workDir) {
    var root = repo.toAbsolutePath().normalize();
    var dir = workDir.resolve("mm1");
    var libraries = new ArrayList<ImageRecipe.Entry>();
    var modules = new ArrayList<ImageRecipe.Entry>();
    var imageClasspath = new ArrayList<String>();
    var seen = new HashMap<String, Path>();
    for (var jar : classpath) {
      var name = jar.getFileName().toString();
      var earlier = seen.putIfAbsent(name, jar);
      if (earlier != null) {
        throw ImageBuildException.invalid("two classpath entries have the file name " + name + ": " + earlier + " and " + jar
            + "; the image keeps jars by file name");
      }
      var source = jar;
      if (NativeLibraryJars.isNativeLibraryJar(jar)) {
        if (flavour == Flavour.gpu) {
          continue;
        }
        source = NativeLibraryJars.slim(jar, dir.resolve("slim").resolve(name));
      }
      var ours = jar.startsWith(root);
      var target = (ours ? MODULES : LIBS) + "/" + name;
      (ours ? modules : libraries).add(ImageRecipe.Entry.file(source, target));
      imageClasspath.add(target);
    }
    var classpathFile = write(dir.resolve("classpath"), String.join(":", imageClasspath));

    var launch = new ArrayList<ImageRecipe.Entry>();
    launch.add(ImageRecipe.Entry.file(classpathFile, CLASSPATH_FILE));
    launch.add(home(workDir));

    var entrypoint = new ArrayList<String>();
    entrypoint.add("java");
    entrypoint.addAll(JVM_FLAGS);
    entrypoint.addAll(List.of("-cp", "@" + CLASSPATH_FILE, MAIN_CLASS));

    var environment = new LinkedHashMap<String, String>();
    environment.put("DJL_CACHE_DIR", DJL_CACHE);
    environment.put("OPT_OUT_TRACKING", "true");
    // libtorch's OpenMP threads sleep instead of spinning when they wait: on shared cores spinning
    // threads slowed training steps several-fold (measured: 51 against 191 tokens/s).
    environment.put("OMP_WAIT_POLICY", "PASSIVE");
    environment.put("HOME", ImageRecipe.HOME);
    if (flavour == Flavour.gpu) {
      // The NVIDIA container runtime mounts the driver for these.
      environment.put("NVIDIA_VISIBLE_DEVICES", "all");
      environment.put("NVIDIA_DRIVER_CAPABILITIES", "compute,utility");
    }
    return new ImageRecipe(ImageNames.MM1,
        "MM1 trainer and evaluator" + (flavour == Flavour.gpu ? " (CUDA)" : ""),
        "mm1 train, mm1 eval, mm1 score, mm1 gate: trains and evaluates MM1-style multimodal LLMs on DJL + PyTorch ("
            + (flavour == Flavour.gpu ? "CUDA" : "CPU") + " libtorch inside)",
        List.of(
            new ImageRecipe.Layer("DJL native libraries (libtorch unpacked)", false, tree(djlCache, DJL_CACHE)),
            new ImageRecipe.Layer("libraries", false, libraries),
            new ImageRecipe.Layer("launch (classpath, home)", false, launch),
            new ImageRecipe.Layer("mm1 modules", true, modules)),
        entrypoint,
        List.of("--help"),
        environment,
        ImageRecipe.HOME,
        List.of(dev.mm1.images.Ports.RENDEZVOUS));
  }

  /** The home directory of the image's user, the one directory it owns. */
  static ImageRecipe.Entry home(Path workDir) {
    try {
      var empty = Files.createDirectories(workDir.resolve("empty-directory"));
      return new ImageRecipe.Entry(empty, ImageRecipe.HOME, "755", ImageRecipe.USER);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every file under {@code dir}, sorted, at the same relative path under {@code target}. */
  static List<ImageRecipe.Entry> tree(Path dir, String target) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).sorted()
          .map(f -> ImageRecipe.Entry.file(f, target + "/" + dir.relativize(f).toString().replace(File.separatorChar, '/')))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir, e);
    }
  }

  static Path write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
