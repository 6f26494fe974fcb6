package dev.mm1.model.io;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A safetensors file opened for reading (8-byte little-endian header length, JSON header of
 * dtype/shape/data_offsets, raw little-endian data). Tensors are read one at a time by name, so
 * files larger than 2 GiB work; F16 and BF16 data are converted to float32 in Java.
 */
public final class SafetensorsFile implements AutoCloseable {
  /** Largest header accepted (the format's own limit is 100 MB). */
  private static final long MAX_HEADER = 100L * 1024 * 1024;

  /** One tensor's entry in the header. */
  public record Entry(String name, TensorType type, long[] shape, long begin, long end) {
    public long elements() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, Entry> entries,
      Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.entries = entries;
    this.metadata = metadata;
  }

  /** Opens and validates the header of {@code path}; a malformed file is an error naming it. */
  public static SafetensorsFile open(Path path) throws IOException {
    var channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      long size = channel.size();
      if (size < 8) {
        throw malformed(path, "shorter than the 8-byte header length");
      }
      var lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0);
      long headerLength = lengthBytes.flip().getLong();
      if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
        throw malformed(path, "header length " + headerLength + " does not fit a file of " + size + " bytes");
      }
      var headerBytes = ByteBuffer.allocate((int) headerLength);
      readFully(channel, headerBytes, 8);
      JsonObject header;
      try {
        header = JsonParser.parseString(new String(headerBytes.array(), StandardCharsets.UTF_8)).getAsJsonObject();
      } catch (JsonSyntaxException | IllegalStateException e) {
        throw malformed(path, "header is not a JSON object: " + e.getMessage());
      }
      long dataLength = size - 8 - headerLength;
      var entries = new LinkedHashMap<String, Entry>();
      var metadata = new LinkedHashMap<String, String>();
      for (var field : header.entrySet()) {
        var name = field.getKey();
        if (name.equals("__metadata__")) {
          field.getValue().getAsJsonObject().entrySet()
              .forEach(m -> metadata.put(m.getKey(), m.getValue().getAsString()));
          continue;
        }
        var info = field.getValue().getAsJsonObject();
        var type = TensorType.parse(info.get("dtype").getAsString(), name, path);
        var shapeJson = info.getAsJsonArray("shape");
        var shape = new long[shapeJson.size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = shapeJson.get(i).getAsLong();
        }
        var offsets = info.getAsJsonArray("data_offsets");
        var entry = new Entry(name, type, shape, offsets.get(0).getAsLong(), offsets.get(1).getAsLong());
        if (entry.begin() < 0 || entry.end() > dataLength || entry.end() - entry.begin() != entry.elements() * type.bytes()) {
          throw malformed(path, "tensor '" + name + "' has data_offsets [" + entry.begin() + ", " + entry.end()
              + "] that do not match its shape and dtype or the " + dataLength + " data bytes");
        }
        entries.put(name, entry);
      }
      return new SafetensorsFile(path, channel, 8 + headerLength, entries, metadata);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static IllegalArgumentException malformed(Path path, String why) {
    return new IllegalArgumentException("not a valid safetensors file: " + path + ": " + why);
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  public Path path() {
    return path;
  }

  public Map<String, Entry> entries() {
    return Collections.unmodifiableMap(entries);
  }

  public Map<String, String> metadata() {
    return Collections.unmodifiableMap(metadata);
  }

  /** The entry called {@code name}; a missing tensor is an error naming it and the file. */
  public Entry entry(String name) {
    var entry = entries.get(name);
    if (entry == null) {
      throw new IllegalArgumentException("tensor '" + name + "' is missing from " + path);
    }
    return entry;
  }

  /** The tensor's values as float32 (F16 and BF16 widened exactly). */
  public float[] readFloats(String name) throws IOException {
    var entry = entry(name);
    long elements = entry.elements();
    if (elements > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensor '" + name + "' in " + path + " has " + elements
          + " elements; one tensor must hold fewer than 2^31");
    }
    var out = new float[(int) elements];
    var type = entry.type();
    // Read in chunks: a tensor's bytes may exceed what one ByteBuffer holds.
    int chunkElements = 1 << 20;
    var buffer = ByteBuffer.allocate(chunkElements * type.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    long position = dataStart + entry.begin();
    for (int start = 0; start < out.length; start += chunkElements) {
      int count = Math.min(chunkElements, out.length - start);
      buffer.clear().limit(count * type.bytes());
      readFully(channel, buffer, position);
      position += (long) count * type.bytes();
      buffer.flip();
      for (int i = 0; i < count; i++) {
        out[start + i] = switch (type) {
          case F32 -> buffer.getFloat();
          case F16 -> Float.float16ToFloat(buffer.getShort());
          case BF16 -> TensorType.fromBfloat16(buffer.getShort());
        };
      }
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
