package dev.mm1.model.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes float32 tensors to a safetensors file as F32, F16 or BF16 (converted in Java, rounding to
 * nearest even). Tensors are written in the given order; the file appears atomically (written to a
 * temporary file, then renamed).
 */
public final class SafetensorsWriter {
  private SafetensorsWriter() {}

  /** A named tensor to write: float32 values in row-major order and their shape. */
  public record Tensor(String name, long[] shape, float[] values) {
    public Tensor {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      if (n != values.length) {
        throw new IllegalArgumentException("tensor '" + name + "' has " + values.length
            + " values but its shape holds " + n);
      }
    }
  }

  public static void write(Path path, List<Tensor> tensors, TensorType type, Map<String, String> metadata)
      throws IOException {
    var start = header(tensors.stream().map(t -> new TensorShape(t.name(), t.shape())).toList(), type, metadata);
    var temporary = path.resolveSibling(path.getFileName() + ".tmp");
    try (var channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      writeFully(channel, start);
      var buffer = ByteBuffer.allocate(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
      for (var tensor : tensors) {
        for (float value : tensor.values()) {
          if (buffer.remaining() < 4) {
            writeFully(channel, buffer.flip());
            buffer.clear();
          }
          switch (type) {
            case F32 -> buffer.putFloat(value);
            case F16 -> buffer.putShort(Float.floatToFloat16(value));
            case BF16 -> buffer.putShort(TensorType.toBfloat16(value));
          }
        }
      }
      writeFully(channel, buffer.flip());
      channel.force(true);
    }
    Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A tensor's name and shape, for the header of a file whose data is streamed by the caller. */
  public record TensorShape(String name, long[] shape) {
    public long elements() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  /**
   * The start of a safetensors file holding {@code tensors} in this order as {@code type}: the
   * 8-byte header length, then the JSON header padded with spaces so the data starts 8-byte
   * aligned. The tensors' bytes follow in the same order.
   */
  public static ByteBuffer header(List<TensorShape> tensors, TensorType type, Map<String, String> metadata) {
    var header = new JsonObject();
    if (!metadata.isEmpty()) {
      var meta = new JsonObject();
      metadata.forEach(meta::addProperty);
      header.add("__metadata__", meta);
    }
    long offset = 0;
    var names = new java.util.HashSet<String>();
    for (var tensor : tensors) {
      if (!names.add(tensor.name())) {
        throw new IllegalArgumentException("tensor '" + tensor.name() + "' is written twice");
      }
      var info = new JsonObject();
      info.addProperty("dtype", type.name());
      var shape = new JsonArray();
      for (long d : tensor.shape()) {
        shape.add(d);
      }
      info.add("shape", shape);
      var offsets = new JsonArray();
      offsets.add(offset);
      offset += tensor.elements() * type.bytes();
      offsets.add(offset);
      info.add("data_offsets", offsets);
      header.add(tensor.name(), info);
    }
    var headerBytes = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (headerBytes.length + 7) / 8 * 8;
    var start = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    start.putLong(padded).put(headerBytes);
    while (start.hasRemaining()) {
      start.put((byte) ' ');
    }
    return start.flip();
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }
}
