package dev.mm1.trainer.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * {@code metrics.jsonl}: one JSON object per optimizer step ({@code step}, {@code time},
 * {@code attempt} and every metric by name), appended and never rewritten. A resumed run appends
 * the steps it recomputes again, so a step may appear more than once: the last line of a step is
 * what the run ended with. It is also the spool the control-plane reporter sends from.
 */
public final class MetricsLog implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  public static final String FILE = "metrics.jsonl";

  /** The last line: its step and time. */
  public record Last(long step, Instant time) {}

  private final Path path;
  private final FileChannel channel;

  public MetricsLog(Path path) throws IOException {
    this.path = path;
    Files.createDirectories(path.toAbsolutePath().getParent());
    this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  public Path path() {
    return path;
  }

  /** Appends one step's metrics; non-finite values are written as null. */
  public synchronized void append(long step, Instant time, int attempt, Map<String, Double> metrics) throws IOException {
    ObjectNode line = JSON.createObjectNode();
    line.put("step", step);
    line.put("time", time.toString());
    line.put("attempt", attempt);
    metrics.forEach((name, value) -> {
      if (value == null || !Double.isFinite(value)) {
        line.putNull(name);
      } else {
        line.put(name, value);
      }
    });
    var bytes = ByteBuffer.wrap((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  /** The last complete line of {@code path}, if any (a torn last line from a crash is ignored). */
  public static Optional<Last> last(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      return Optional.empty();
    }
    try (var file = new RandomAccessFile(path.toFile(), "r")) {
      long end = file.length();
      long chunk = Math.min(end, 1 << 16);
      var bytes = new byte[(int) chunk];
      file.seek(end - chunk);
      file.readFully(bytes);
      var text = new String(bytes, StandardCharsets.UTF_8);
      var lines = text.split("\n");
      for (int i = lines.length - 1; i >= 0; i--) {
        if (i == lines.length - 1 && !text.endsWith("\n")) {
          continue; // torn
        }
        try {
          var node = JSON.readTree(lines[i]);
          if (node != null && node.has("step") && node.has("time")) {
            return Optional.of(new Last(node.get("step").asLong(), Instant.parse(node.get("time").asText())));
          }
        } catch (IOException | RuntimeException ignored) {
          // a partial first line of the chunk
        }
      }
      return Optional.empty();
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
