package dev.mm1.evaluator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** The test vectors computed by the official implementations (src/test/vectors/README.md). */
public final class Vectors {
  private Vectors() {}

  /** A directory or file under src/test/resources/vectors. */
  public static Path path(String relative) {
    try {
      var url = Vectors.class.getResource("/vectors/" + relative);
      if (url == null) {
        throw new IllegalStateException("test vector " + relative + " is missing");
      }
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The lines of a (possibly gzipped) text vector file. */
  public static List<String> lines(String relative) {
    try (InputStream raw = Vectors.class.getResourceAsStream("/vectors/" + relative)) {
      if (raw == null) {
        throw new IllegalStateException("test vector " + relative + " is missing");
      }
      InputStream in = relative.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
      List<String> lines = new ArrayList<>();
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = reader.readLine()) != null; ) {
          lines.add(line);
        }
      }
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
