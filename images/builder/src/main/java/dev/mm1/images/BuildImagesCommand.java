package dev.mm1.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Builds the platform's images ({@code ./mvnw -Pimages package} runs it after every module is
 * packaged): {@code mm1}, {@code mm1-operator} and {@code mm1-control-plane} as OCI tarballs under
 * {@code target/images/}, pushed too when {@code --push-registry} names a registry. Prints a table
 * of sizes and the layer split, then one JSON object on the last line of stdout.
 */
@Command(name = "build-images", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Build the mm1, mm1-operator and mm1-control-plane images without a Docker daemon (Jib).",
        "Run through ./mvnw -Pimages package, which packages every module first; see images/README.md."})
public final class BuildImagesCommand implements Callable<Integer> {
  @Option(names = "--repo", required = true, description = "The repository root (where the modules' target/ are).")
  Path repo;

  @Option(names = "--out", required = true, description = "Where the tarballs go (target/images).")
  Path out;

  @Option(names = "--work", required = true, description = "Scratch space: Jib's caches, DJL's unpacked natives.")
  Path work;

  @Option(names = "--base", required = true,
      description = "Base image: a registry reference (eclipse-temurin:25-jre) or tar:///path/base.tar from images/base/make-base.sh.")
  String base;

  @Option(names = "--platform", defaultValue = "linux/amd64", description = "OS/architecture (default ${DEFAULT-VALUE}).")
  String platform;

  @Option(names = "--flavour", defaultValue = "cpu",
      description = "cpu, or gpu: mm1 only, with DJL's CUDA libtorch fetched now (on a CUDA machine) and tag TAG-cuda.")
  Mm1Image.Flavour flavour;

  @Option(names = "--image-registry", required = true, description = "Registry part of the image names (mm1.image.registry).")
  String imageRegistry;

  @Option(names = "--tag", required = true, description = "Tag of the images (mm1.image.tag).")
  String tag;

  @Option(names = "--push-registry", defaultValue = "",
      description = "Also push to this registry (HOST[:PORT]/PATH, from -Dmm1.registry); empty: tarballs only.")
  String pushRegistry;

  @Option(names = "--version", required = true, description = "org.opencontainers.image.version.")
  String version;

  @Option(names = "--revision", defaultValue = "",
      description = "org.opencontainers.image.revision; empty: git rev-parse HEAD of --repo (-dirty when it has changes).")
  String revision;

  @Option(names = "--source", required = true, description = "org.opencontainers.image.source.")
  String source;

  @Option(names = "--offline", arity = "1", defaultValue = "false",
      description = "Jib offline (Maven -o): a registry base must be in Jib's cache.")
  boolean offline;

  @Option(names = "--only", split = ",",
      description = "Build only these images (mm1, mm1-operator, mm1-control-plane; -Dmm1.images.only); empty: all.")
  List<String> only = List.of();

  private final PrintStream stdout;
  private final PrintStream stderr;

  BuildImagesCommand(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  public static void main(String[] args) {
    var command = new BuildImagesCommand(System.out, System.err);
    var line = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
    line.setExecutionExceptionHandler((e, cl, parsed) -> {
      if (e instanceof ImageBuildException known) {
        System.err.println("build-images: " + known.getMessage());
        return known.exitCode();
      }
      System.err.println("build-images: " + e);
      e.printStackTrace();
      return 1;
    });
    System.exit(line.execute(args));
  }

  @Override
  public Integer call() {
    long started = System.nanoTime();
    repo = repo.toAbsolutePath().normalize();
    out = out.toAbsolutePath().normalize();
    work = work.toAbsolutePath().normalize();
    var target = TargetPlatform.parse(platform, "--platform (-Dmm1.platform)");
    only = only.stream().map(String::strip).filter(name -> !name.isEmpty()).toList();
    for (var name : only) {
      if (!ImageNames.ALL.contains(name)) {
        throw ImageBuildException.invalid("--only names '" + name + "'; the images are " + String.join(", ", ImageNames.ALL));
      }
    }
    var names = flavour == Mm1Image.Flavour.gpu ? new ImageNames(imageRegistry, tag).cuda() : new ImageNames(imageRegistry, tag);
    var push = pushRegistry == null || pushRegistry.isBlank() ? null : names.inRegistry(pushRegistry);
    var baseImage = BaseImage.resolve(base, target, offline);
    var labels = new ImageWriter.Labels(version, revision == null || revision.isBlank() ? gitRevision(repo) : revision, source);
    var writer = new ImageWriter(baseImage, target, labels, work.resolve("jib-cache"), offline, stderr::println);
    stderr.println("build-images: base " + baseImage.labelName() + ", platform " + target + ", revision " + labels.revision());

    var built = new ArrayList<ImageWriter.Built>();
    for (var name : wanted()) {
      long imageStarted = System.nanoTime();
      var recipe = recipe(name, target);
      var file = flavour == Mm1Image.Flavour.gpu ? name + ImageNames.CUDA_SUFFIX : name;
      var image = writer.build(recipe, names.reference(name), out.resolve(file + ".tar"),
          push == null ? null : push.reference(name));
      write(out.resolve(file + ".digest"), image.archive().manifestDigest() + "\n");
      stderr.printf(Locale.ROOT, "build-images: %s %s in %.1f s%s%n", image.reference(), image.archive().manifestDigest(),
          seconds(imageStarted), image.pushedTo() == null ? "" : ", pushed to " + image.pushedTo());
      built.add(image);
    }
    report(built, seconds(started));
    return 0;
  }

  private List<String> wanted() {
    if (flavour == Mm1Image.Flavour.gpu) {
      return List.of(ImageNames.MM1);
    }
    return only.isEmpty() ? ImageNames.ALL : ImageNames.ALL.stream().filter(only::contains).toList();
  }

  private ImageRecipe recipe(String name, TargetPlatform target) {
    var scratch = work.resolve("recipes").resolve(name);
    return switch (name) {
      case ImageNames.MM1 -> {
        var classpath = Mm1Image.readClasspath(repo.resolve("images/mm1/target/mm1-classpath.txt"), repo);
        var gpu = flavour == Mm1Image.Flavour.gpu;
        var natives = gpu ? classpath.stream().filter(j -> !NativeLibraryJars.isNativeLibraryJar(j)).toList() : classpath;
        var cache = DjlNativeCache.bake(natives, work, gpu, target);
        yield Mm1Image.recipe(classpath, repo, cache, flavour, scratch);
      }
      case ImageNames.OPERATOR -> QuarkusImage.recipe(name, "operator", repo.resolve("operator/target/quarkus-app"),
          "MM1 operator", "Reconciles MM1Training and MM1Eval resources into gang-restarted Indexed Jobs", Map.of(), scratch);
      case ImageNames.CONTROL_PLANE -> QuarkusImage.recipe(name, "control-plane",
          repo.resolve("control-plane/target/quarkus-app"), "MM1 control plane",
          "REST API and web UI over PostgreSQL: runs, metrics, checkpoints, evaluations, CI gates", Map.of(), scratch);
      default -> throw new IllegalArgumentException(name);
    };
  }

  /** The table (sizes, layer split) and, on the last line, the same as one JSON object. */
  private void report(List<ImageWriter.Built> built, double seconds) {
    var json = new ObjectMapper();
    ObjectNode result = json.createObjectNode();
    var images = result.putArray("images");
    stdout.printf(Locale.ROOT, "%-20s %12s %12s %14s %8s  %s%n", "image", "MB", "base MB", "our classes MB", "share", "digest");
    for (var image : built) {
      long total = image.archive().size();
      long baseBytes = 0;
      for (int i = 0; i < image.baseLayers(); i++) {
        baseBytes += image.archive().layers().get(i).size();
      }
      long ours = image.ourBytes();
      double share = total == 0 ? 0 : (double) ours / total;
      stdout.printf(Locale.ROOT, "%-20s %12.1f %12.1f %14.2f %7.2f%%  %s%n", image.recipe().name(), mb(total), mb(baseBytes),
          mb(ours), 100 * share, image.archive().manifestDigest());
      var node = images.addObject();
      node.put("name", image.recipe().name());
      node.put("reference", image.reference());
      node.put("tarball", image.tarball().toString());
      node.put("digest", image.archive().manifestDigest());
      node.put("bytes", total);
      node.put("baseBytes", baseBytes);
      node.put("ourClassesBytes", ours);
      node.put("ourClassesShare", share);
      var layers = node.putArray("layers");
      var own = image.ownLayers();
      for (int i = 0; i < image.archive().layers().size(); i++) {
        var layer = layers.addObject();
        var isBase = i < image.baseLayers();
        layer.put("name", isBase ? "base" : own.get(i - image.baseLayers()).name());
        layer.put("ours", !isBase && own.get(i - image.baseLayers()).ours());
        layer.put("bytes", image.archive().layers().get(i).size());
        layer.put("digest", image.archive().layers().get(i).digest());
      }
      if (image.pushedTo() != null) {
        node.put("pushedTo", image.pushedTo());
      }
    }
    result.put("seconds", Math.round(seconds * 10) / 10.0);
    try {
      var line = json.writeValueAsString(result);
      // The same report beside the tarballs, for CI's comparisons of two builds.
      write(out.resolve(flavour == Mm1Image.Flavour.gpu ? "images-cuda.json" : "images.json"), line + "\n");
      stdout.println(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code git rev-parse HEAD}, with {@code -dirty} when tracked files have changes; "unknown" outside git. */
  static String gitRevision(Path repo) {
    var head = git(repo, "rev-parse", "HEAD");
    if (head == null || head.isBlank()) {
      return "unknown";
    }
    var changes = git(repo, "status", "--porcelain", "--untracked-files=no");
    return head.strip() + (changes != null && !changes.isBlank() ? "-dirty" : "");
  }

  private static String git(Path repo, String... args) {
    var command = new ArrayList<String>(List.of("git", "-C", repo.toString()));
    command.addAll(List.of(args));
    try {
      var process = new ProcessBuilder(command).redirectErrorStream(false).start();
      var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        return null;
      }
      return output;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private static double mb(long bytes) {
    return bytes / 1e6;
  }
}
