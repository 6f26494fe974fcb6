package dev.mm1.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Jars that only carry native libraries for DJL to unpack ({@code pytorch-native-cpu}: 112 MB of
 * libtorch, no classes). In the image DJL finds those libraries already unpacked in its cache
 * ({@link DjlNativeCache}), so such a jar is replaced by a slim jar that keeps only what DJL still
 * reads from it: the platform descriptor {@code native/lib/ENGINE.properties} (version, flavour,
 * classifier), which names the cache directory.
 */
final class NativeLibraryJars {
  /** Entry time of the slim jars (fixed, so the same jar makes the same bytes). */
  private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2026, 1, 1, 0, 0);

  private NativeLibraryJars() {}

  /** Whether {@code jar} holds native libraries for DJL and no classes. */
  static boolean isNativeLibraryJar(Path jar) {
    try (var zip = new ZipFile(jar.toFile())) {
      boolean descriptor = false;
      for (var entries = zip.entries(); entries.hasMoreElements(); ) {
        var name = entries.nextElement().getName();
        if (name.endsWith(".class")) {
          return false;
        }
        descriptor |= isDescriptor(name);
      }
      return descriptor;
    } catch (IOException e) {
      throw ImageBuildException.invalid("classpath entry " + jar + " is not a readable jar (" + e.getMessage()
          + "); rebuild with ./mvnw -Pimages package");
    }
  }

  /** Writes {@code target}: {@code jar}'s manifest and platform descriptors only. */
  static Path slim(Path jar, Path target) {
    try (var zip = new ZipFile(jar.toFile())) {
      var keep = new ArrayList<ZipEntry>();
      for (var entries = zip.entries(); entries.hasMoreElements(); ) {
        var entry = entries.nextElement();
        if (!entry.isDirectory() && (entry.getName().equals("META-INF/MANIFEST.MF") || isDescriptor(entry.getName()))) {
          keep.add(entry);
        }
      }
      keep.sort((a, b) -> a.getName().compareTo(b.getName()));
      Files.createDirectories(target.getParent());
      try (var out = new ZipOutputStream(Files.newOutputStream(target))) {
        for (var entry : keep) {
          var copy = new ZipEntry(entry.getName());
          copy.setTimeLocal(ENTRY_TIME);
          out.putNextEntry(copy);
          try (var in = zip.getInputStream(entry)) {
            in.transferTo(out);
          }
          out.closeEntry();
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the slim jar " + target + " of " + jar, e);
    }
  }

  private static boolean isDescriptor(String name) {
    return name.startsWith("native/lib/") && name.toLowerCase(Locale.ROOT).endsWith(".properties")
        && name.indexOf('/', "native/lib/".length()) < 0;
  }

  /** The native-library jars among {@code classpath}. */
  static List<Path> among(List<Path> classpath) {
    return classpath.stream().filter(NativeLibraryJars::isNativeLibraryJar).toList();
  }
}
