package dev.mm1.trainer.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code MANIFEST.json}: the sha256 and size of every other file of a checkpoint. Written last,
 * so a directory without a manifest that verifies is not a checkpoint.
 *
 * @param format manifest format version, {@value #FORMAT}
 * @param step the optimizer step the checkpoint was taken after
 * @param files file name → sha256 and size
 */
public record CheckpointManifest(int format, long step, Map<String, FileEntry> files) {
  public static final int FORMAT = 1;
  public static final String FILE = "MANIFEST.json";
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  /** One file's sha256 (lower-case hex) and size in bytes. */
  public record FileEntry(String sha256, long bytes) {}

  public CheckpointManifest {
    files = Map.copyOf(new TreeMap<>(files));
  }

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads {@code dir}'s manifest; an error names the directory and what is wrong. */
  public static CheckpointManifest read(Path dir) throws CheckpointException {
    var file = dir.resolve(FILE);
    try {
      var manifest = JSON.readValue(Files.readAllBytes(file), CheckpointManifest.class);
      if (manifest.format() != FORMAT) {
        throw new CheckpointException(file + " has format " + manifest.format() + "; this build reads format " + FORMAT);
      }
      if (manifest.files() == null || manifest.files().isEmpty()) {
        throw new CheckpointException(file + " lists no files");
      }
      return manifest;
    } catch (NoSuchFileException e) {
      throw new CheckpointException(dir + " has no " + FILE + " (an incomplete checkpoint)");
    } catch (IOException e) {
      throw new CheckpointException(file + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** Checks that every listed file exists with its size and sha256; the first mismatch is the error. */
  public void verify(Path dir) throws CheckpointException {
    for (var entry : files.entrySet()) {
      var file = dir.resolve(entry.getKey());
      try {
        long size = Files.size(file);
        if (size != entry.getValue().bytes()) {
          throw new CheckpointException(file + " has " + size + " bytes; its manifest says " + entry.getValue().bytes()
              + " (truncated or replaced)");
        }
        var actual = sha256(file);
        if (!actual.equals(entry.getValue().sha256())) {
          throw new CheckpointException(file + " has sha256 " + actual + "; its manifest says "
              + entry.getValue().sha256() + " (corrupted)");
        }
      } catch (NoSuchFileException e) {
        throw new CheckpointException(file + " is listed in " + FILE + " but missing");
      } catch (IOException e) {
        throw new CheckpointException(file + " cannot be read: " + e.getMessage(), e);
      }
    }
  }

  /** Total bytes of the listed files. */
  public long bytes() {
    return files.values().stream().mapToLong(FileEntry::bytes).sum();
  }

  /** sha256 (lower-case hex) of a file's contents. */
  public static String sha256(Path file) throws IOException {
    var digest = digest();
    try (var channel = FileChannel.open(file, StandardOpenOption.READ)) {
      var buffer = ByteBuffer.allocate(1 << 20);
      while (channel.read(buffer) >= 0) {
        digest.update(buffer.flip());
        buffer.clear();
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** sha256 of bytes. */
  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
