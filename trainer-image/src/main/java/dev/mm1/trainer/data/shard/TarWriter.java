package dev.mm1.trainer.data.shard;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a POSIX ustar archive, one entry at a time, with fixed owner, mode and time so that the
 * same content always gives the same bytes (the corpus generator is deterministic by seed). The
 * shard is written to a temporary file and renamed into place on {@link #close()}, so a reader
 * never sees half a shard.
 */
public final class TarWriter implements AutoCloseable {
  static final int BLOCK = 512;

  private final Path target;
  private final Path temporary;
  private final OutputStream out;
  private boolean closed;

  public TarWriter(Path target) throws IOException {
    this.target = target;
    Files.createDirectories(target.toAbsolutePath().getParent());
    this.temporary = target.resolveSibling(target.getFileName() + ".partial");
    this.out = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16);
  }

  /** Appends one regular file. Names longer than 100 bytes are rejected (ustar without prefix). */
  public void add(String name, byte[] content) throws IOException {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    if (nameBytes.length == 0 || nameBytes.length > 100) {
      throw new IllegalArgumentException("tar entry name must be 1 to 100 bytes: '" + name + "'");
    }
    byte[] header = new byte[BLOCK];
    System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
    octal(header, 100, 8, 0644);
    octal(header, 108, 8, 0);
    octal(header, 116, 8, 0);
    octal(header, 124, 12, content.length);
    octal(header, 136, 12, 0);
    header[156] = '0';
    System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 6);
    header[263] = '0';
    header[264] = '0';
    for (int i = 148; i < 156; i++) {
      header[i] = ' ';
    }
    octal(header, 148, 7, TarReader.checksum(header));
    out.write(header);
    out.write(content);
    int padding = (BLOCK - content.length % BLOCK) % BLOCK;
    out.write(new byte[padding]);
  }

  private static void octal(byte[] header, int offset, int length, long value) {
    String digits = Long.toOctalString(value);
    if (digits.length() > length - 1) {
      throw new IllegalArgumentException("value " + value + " does not fit a tar header field");
    }
    String padded = "0".repeat(length - 1 - digits.length()) + digits;
    System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, header, offset, length - 1);
    header[offset + length - 1] = 0;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (out) {
      out.write(new byte[2 * BLOCK]);
    }
    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
