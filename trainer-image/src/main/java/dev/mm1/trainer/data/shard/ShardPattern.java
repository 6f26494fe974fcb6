package dev.mm1.trainer.data.shard;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Resolves a data source's {@code shards} string to the list of shard files, in order. Accepted:
 * an absolute path or {@code file:} URI naming one tar file, a directory (all its {@code *.tar}
 * files, sorted), or a pattern with brace ranges and lists as in WebDataset:
 * {@code /data/cap/shard-{000000..000127}.tar}, {@code {train,extra}-{0..3}.tar}. Ranges keep the
 * zero padding of their bounds. Every named shard must exist.
 */
public final class ShardPattern {
  /** More shards than this in one pattern is a typo, not a corpus. */
  static final int MAX_SHARDS = 1_000_000;

  private ShardPattern() {}

  /** The shard files the pattern names; fails with a message naming the pattern when it names none. */
  public static List<Path> expand(String pattern) {
    if (pattern == null || pattern.isBlank()) {
      throw new IllegalArgumentException("shard pattern is empty; give a path, file: URI or brace pattern");
    }
    String path = localPath(pattern);
    List<String> names = new ArrayList<>();
    expandBraces(path, names, pattern);
    List<Path> shards = new ArrayList<>();
    for (String name : names) {
      Path candidate = Path.of(name);
      if (Files.isDirectory(candidate)) {
        shards.addAll(tarsIn(candidate, pattern));
      } else if (Files.isRegularFile(candidate)) {
        shards.add(candidate);
      } else {
        throw new IllegalArgumentException("shard " + candidate + " named by pattern '" + pattern + "' does not exist");
      }
    }
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("shard pattern '" + pattern + "' names no shards");
    }
    return List.copyOf(shards);
  }

  private static String localPath(String pattern) {
    if (pattern.startsWith("/")) {
      return pattern;
    }
    int colon = pattern.indexOf(':');
    String scheme = colon > 0 ? pattern.substring(0, colon) : "";
    if (!scheme.equals("file")) {
      throw new IllegalArgumentException("shard pattern '" + pattern + "': only local shards are supported "
          + "(an absolute path or a file: URI); scheme '" + scheme + "' is not");
    }
    String rest = pattern.substring(colon + 1);
    if (rest.startsWith("//")) {
      int slash = rest.indexOf('/', 2);
      String authority = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
      if (!authority.isEmpty() && !authority.equals("localhost")) {
        throw new IllegalArgumentException("shard pattern '" + pattern + "': file: URIs must name a local path, not host '"
            + authority + "'");
      }
      rest = slash < 0 ? "/" : rest.substring(slash);
    }
    if (!rest.startsWith("/")) {
      throw new IllegalArgumentException("shard pattern '" + pattern + "': a file: URI needs an absolute path");
    }
    // Percent-escapes are decoded; braces, which URIs do not allow, are kept as written.
    return URLDecoder.decode(rest.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static void expandBraces(String text, List<String> out, String pattern) {
    int open = text.indexOf('{');
    if (open < 0) {
      if (text.indexOf('}') >= 0) {
        throw new IllegalArgumentException("shard pattern '" + pattern + "' has a '}' without '{'");
      }
      out.add(text);
      if (out.size() > MAX_SHARDS) {
        throw new IllegalArgumentException("shard pattern '" + pattern + "' names more than " + MAX_SHARDS + " shards");
      }
      return;
    }
    int close = text.indexOf('}', open);
    if (close < 0) {
      throw new IllegalArgumentException("shard pattern '" + pattern + "' has a '{' without '}'");
    }
    String head = text.substring(0, open);
    String body = text.substring(open + 1, close);
    String tail = text.substring(close + 1);
    for (String alternative : alternatives(body, pattern)) {
      expandBraces(head + alternative + tail, out, pattern);
    }
  }

  private static List<String> alternatives(String body, String pattern) {
    int dots = body.indexOf("..");
    if (dots >= 0) {
      String from = body.substring(0, dots);
      String to = body.substring(dots + 2);
      if (!from.matches("\\d{1,18}") || !to.matches("\\d{1,18}")) {
        throw new IllegalArgumentException("shard pattern '" + pattern + "': range {" + body
            + "} must be {FROM..TO} with decimal numbers, e.g. {000000..000127}");
      }
      long first = Long.parseLong(from);
      long last = Long.parseLong(to);
      if (last < first) {
        throw new IllegalArgumentException("shard pattern '" + pattern + "': range {" + body + "} runs backwards");
      }
      if (last - first >= MAX_SHARDS) {
        throw new IllegalArgumentException("shard pattern '" + pattern + "' names more than " + MAX_SHARDS + " shards");
      }
      int width = from.length() == to.length() ? from.length() : 0;
      List<String> values = new ArrayList<>();
      for (long i = first; i <= last; i++) {
        String digits = Long.toString(i);
        values.add(digits.length() < width ? "0".repeat(width - digits.length()) + digits : digits);
      }
      return values;
    }
    if (body.contains(",")) {
      return List.of(body.split(",", -1));
    }
    throw new IllegalArgumentException("shard pattern '" + pattern + "': braces {" + body
        + "} must hold a range {FROM..TO} or a list {a,b}");
  }

  private static List<Path> tarsIn(Path directory, String pattern) {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".tar") && Files.isRegularFile(f))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new IllegalArgumentException("shard pattern '" + pattern + "': cannot list directory " + directory
          + ": " + e.getMessage(), e);
    }
  }
}
