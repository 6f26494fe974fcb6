package dev.mm1.trainer.data.shard;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Streams the regular-file entries of a tar archive (ustar, GNU long names, pax {@code path}
 * records). Only one entry's content is ever held in memory, and content that is not asked for is
 * skipped with {@link InputStream#skip}, which seeks on files. Every inconsistency (bad header
 * checksum, truncation, absurd size) is a {@link CorruptShardException} naming the shard and the
 * byte offset: after one, nothing further in the archive can be trusted.
 */
public final class TarReader implements Closeable {
  /** Refuse entries larger than this: a corrupt size field must not become a huge allocation. */
  public static final long MAX_ENTRY_BYTES = 256L << 20;

  /** One regular file in the archive. */
  public record Entry(String name, long size, long headerOffset) {}

  private final InputStream in;
  private final String shard;
  private final long length;
  private final byte[] block = new byte[TarWriter.BLOCK];
  private long position;
  private Entry current;
  private long unreadContent;
  private long paddingAfterContent;
  private String lastName;
  private boolean ended;

  /**
   * @param in the archive bytes, positioned at its start
   * @param shard the shard's name for error messages
   * @param length the archive's length in bytes when known (files), else -1
   */
  public TarReader(InputStream in, String shard, long length) {
    this.in = in;
    this.shard = shard;
    this.length = length;
  }

  /** The next regular file, or null at the end of the archive; skips what was not read of the last one. */
  public Entry next() throws IOException {
    if (ended) {
      return null;
    }
    skipRestOfEntry();
    String longName = null;
    while (true) {
      long headerOffset = position;
      if (!readHeaderBlock()) {
        ended = true;
        return null;
      }
      if (isZero(block)) {
        // End-of-archive marker (one or two zero blocks); what follows is padding.
        ended = true;
        return null;
      }
      verifyChecksum(headerOffset);
      long size = parseSize(headerOffset);
      byte type = block[156];
      String name = longName != null ? longName : headerName();
      longName = null;
      if (type == 'L' || type == 'x') {
        byte[] meta = readRaw(size, headerOffset);
        skipPadding(size);
        longName = type == 'L' ? cString(meta) : paxPath(meta);
        continue;
      }
      if (type == '0' || type == 0 || type == '7') {
        current = new Entry(name, size, headerOffset);
        unreadContent = size;
        paddingAfterContent = padding(size);
        lastName = name;
        return current;
      }
      // Directories, links, global pax headers and the like carry no sample data.
      skipFully(size + padding(size), headerOffset);
    }
  }

  /** The whole content of the entry last returned by {@link #next()}. */
  public byte[] readContent() throws IOException {
    if (current == null || unreadContent != current.size()) {
      throw new IllegalStateException("content of the current entry was already consumed");
    }
    byte[] content = readRaw(current.size(), current.headerOffset());
    unreadContent = 0;
    return content;
  }

  /** Name of the last entry returned, for error messages; null before the first. */
  public String lastName() {
    return lastName;
  }

  private void skipRestOfEntry() throws IOException {
    if (current != null) {
      skipFully(unreadContent + paddingAfterContent, current.headerOffset());
      current = null;
      unreadContent = 0;
      paddingAfterContent = 0;
    }
  }

  private boolean readHeaderBlock() throws IOException {
    int read = in.readNBytes(block, 0, block.length);
    if (read == 0) {
      return false; // archive cut at a header boundary: treated as its end, like GNU tar and Python.
    }
    if (read < block.length) {
      throw corrupt(position, "truncated header (" + read + " of 512 bytes)");
    }
    position += read;
    return true;
  }

  private void verifyChecksum(long headerOffset) throws CorruptShardException {
    long stored = parseOctal(block, 148, 8, headerOffset, "checksum");
    long unsigned = checksum(block);
    long signed = 0;
    for (int i = 0; i < block.length; i++) {
      signed += (i >= 148 && i < 156) ? ' ' : block[i];
    }
    if (stored != unsigned && stored != signed) {
      throw corrupt(headerOffset, "header checksum mismatch (not a tar archive, or damaged)");
    }
  }

  private long parseSize(long headerOffset) throws CorruptShardException {
    long size;
    if ((block[124] & 0x80) != 0) {
      size = 0; // GNU base-256 encoding for large sizes
      for (int i = 125; i < 136; i++) {
        size = (size << 8) | (block[i] & 0xff);
      }
    } else {
      size = parseOctal(block, 124, 12, headerOffset, "size");
    }
    if (size < 0 || size > MAX_ENTRY_BYTES) {
      throw corrupt(headerOffset, "entry size " + size + " is outside 0.." + MAX_ENTRY_BYTES);
    }
    return size;
  }

  private long parseOctal(byte[] header, int offset, int length, long headerOffset, String field)
      throws CorruptShardException {
    long value = 0;
    int i = offset;
    int end = offset + length;
    while (i < end && (header[i] == ' ' || header[i] == 0)) {
      i++;
    }
    for (; i < end && header[i] != 0 && header[i] != ' '; i++) {
      int digit = header[i] - '0';
      if (digit < 0 || digit > 7) {
        throw corrupt(headerOffset, "header field '" + field + "' is not octal");
      }
      value = value * 8 + digit;
    }
    return value;
  }

  private String headerName() {
    String name = cString(block, 0, 100);
    boolean ustar = block[257] == 'u' && block[258] == 's' && block[259] == 't' && block[260] == 'a'
        && block[261] == 'r';
    String prefix = ustar ? cString(block, 345, 155) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private byte[] readRaw(long size, long headerOffset) throws IOException {
    byte[] content = in.readNBytes((int) size);
    position += content.length;
    if (content.length < size) {
      throw corrupt(headerOffset, "archive ends inside an entry (" + content.length + " of " + size + " bytes)");
    }
    return content;
  }

  private void skipPadding(long size) throws IOException {
    skipFully(padding(size), position);
  }

  private void skipFully(long bytes, long headerOffset) throws IOException {
    long remaining = bytes;
    while (remaining > 0) {
      if (length >= 0 && position + remaining > length) {
        // Seeking past the end of a file succeeds silently: the known length catches truncation.
        throw corrupt(headerOffset, "archive ends inside an entry (" + (length - position) + " of "
            + remaining + " remaining bytes present)");
      }
      long skipped = in.skip(remaining);
      if (skipped <= 0) {
        // skip() may stop early or seek past the end; read() tells which.
        if (in.read() < 0) {
          throw corrupt(headerOffset, "archive ends inside an entry");
        }
        skipped = 1;
      }
      remaining -= skipped;
      position += skipped;
    }
  }

  private CorruptShardException corrupt(long offset, String problem) {
    return new CorruptShardException(shard, offset, lastName == null ? null : ShardSample.keyOf(lastName), problem);
  }

  private static long padding(long size) {
    return (TarWriter.BLOCK - size % TarWriter.BLOCK) % TarWriter.BLOCK;
  }

  private static boolean isZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  static long checksum(byte[] header) {
    long sum = 0;
    for (int i = 0; i < header.length; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
    }
    return sum;
  }

  private static String cString(byte[] bytes) {
    return cString(bytes, 0, bytes.length);
  }

  private static String cString(byte[] bytes, int offset, int length) {
    int end = offset;
    while (end < offset + length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static String paxPath(byte[] records) {
    // Records are "LEN key=value\n"; only the path matters for sample grouping.
    String text = new String(records, StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      int space = line.indexOf(' ');
      int equals = line.indexOf('=');
      if (space > 0 && equals > space && line.substring(space + 1, equals).equals("path")) {
        return line.substring(equals + 1);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
