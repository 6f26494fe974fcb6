package dev.mm1.images;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * DJL's native-library cache (libtorch, the PyTorch JNI, the tokenizers library) made at image
 * build time, so the mm1 image never unpacks or downloads anything at run time and runs with a
 * read-only root filesystem. DJL itself makes it: a JVM on the image's classpath loads the PyTorch
 * engine and the tokenizers library with {@code DJL_CACHE_DIR} pointing at a fresh directory
 * ({@link DjlWarmup}). The directory is kept under the build's work directory and reused while the
 * native jars are the same, so a rebuild neither unpacks nor recompresses 450 MB again.
 */
final class DjlNativeCache {
  private DjlNativeCache() {}

  /**
   * Makes (or reuses) the cache for {@code classpath}.
   *
   * @param allowDownload let DJL download natives no jar carries (the GPU flavour: DJL's CUDA
   *     libtorch comes from DJL's own distribution, fetched here at build time, never at run time)
   */
  static Path bake(List<Path> classpath, Path workDir, boolean allowDownload, TargetPlatform platform) {
    var host = TargetPlatform.host();
    if (!host.equals(platform)) {
      throw ImageBuildException.invalid("the mm1 image carries DJL's native libraries for the machine that builds it ("
          + host + "), but it is built for " + platform + "; build the " + platform + " image on a " + platform.architecture()
          + " machine, or build for " + host + " with -Dmm1.platform=" + host);
    }
    var cache = workDir.resolve("djl-cache-" + key(classpath, allowDownload));
    if (Files.isDirectory(cache)) {
      return cache;
    }
    var fresh = workDir.resolve(cache.getFileName() + ".tmp");
    try {
      deleteTree(fresh);
      Files.createDirectories(fresh);
      var log = workDir.resolve(cache.getFileName() + ".log");
      var process = new ProcessBuilder(command(classpath, allowDownload))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      process.environment().put("DJL_CACHE_DIR", fresh.toString());
      process.environment().put("OPT_OUT_TRACKING", "true");
      var running = process.start();
      if (!running.waitFor(10, TimeUnit.MINUTES)) {
        running.destroyForcibly();
        throw new ImageBuildException(1, "DJL did not unpack its native libraries within 10 minutes; see " + log);
      }
      if (running.exitValue() != 0) {
        throw new ImageBuildException(1, "DJL could not unpack its native libraries into the image (exit "
            + running.exitValue() + "):\n" + tail(log) + "\nfull log: " + log);
      }
      try (Stream<Path> files = Files.walk(fresh)) {
        if (files.noneMatch(f -> f.getFileName().toString().equals(System.mapLibraryName("torch")))) {
          throw new ImageBuildException(1, "DJL loaded its engine but left no " + System.mapLibraryName("torch") + " in "
              + fresh + "; see " + log);
        }
      }
      Files.move(fresh, cache);
      return cache;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make DJL's native-library cache in " + workDir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImageBuildException(1, "interrupted while DJL unpacked its native libraries");
    }
  }

  /** The warm-up JVM: this module's {@link DjlWarmup} on the image's classpath. */
  static List<String> command(List<Path> classpath, boolean allowDownload) {
    var own = Path.of(DjlWarmup.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    var entries = new ArrayList<String>();
    entries.add(own.toString());
    classpath.forEach(p -> entries.add(p.toString()));
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED",
        "-Dai.djl.offline=" + !allowDownload,
        "-Dai.djl.default_engine=PyTorch",
        "-cp", String.join(File.pathSeparator, entries),
        DjlWarmup.class.getName());
  }

  /** Names the cache by the native jars (file names and sizes) and whether downloads were allowed. */
  private static String key(List<Path> classpath, boolean allowDownload) {
    try {
      var digest = MessageDigest.getInstance("SHA-256");
      digest.update((allowDownload ? "download" : "offline").getBytes(StandardCharsets.UTF_8));
      for (var jar : classpath) {
        var name = jar.getFileName().toString();
        if (name.contains("pytorch") || name.contains("tokenizers")) {
          digest.update((name + ":" + Files.size(jar) + "\n").getBytes(StandardCharsets.UTF_8));
        }
      }
      return HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tail(Path log) throws IOException {
    var lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (var file : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(file);
      }
    }
  }
}
