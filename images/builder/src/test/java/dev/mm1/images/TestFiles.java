package dev.mm1.images;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Small stand-ins for what the builder reads: base tarballs in Docker's archive format, and jars. */
final class TestFiles {
  private TestFiles() {}

  /** A one-layer base holding /etc/passwd, declared as {@code linux/ARCHITECTURE}, as make-base.sh writes it. */
  static Path baseTarball(Path file, String architecture) throws IOException {
    var layer = tar(Map.of("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"));
    var gzipped = new ByteArrayOutputStream();
    try (var gzip = new GZIPOutputStream(gzipped)) {
      gzip.write(layer);
    }
    var config = """
        {"architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/bin:/bin"]},
         "rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}""".formatted(architecture, sha256(layer));
    var manifest = "[{\"Config\":\"config.json\",\"RepoTags\":[\"base:test\"],\"Layers\":[\"layer.tar.gz\"]}]";
    Files.createDirectories(file.getParent());
    try (var out = Files.newOutputStream(file)) {
      writeTar(out, Map.of("manifest.json", manifest.getBytes(StandardCharsets.UTF_8),
          "config.json", config.getBytes(StandardCharsets.UTF_8), "layer.tar.gz", gzipped.toByteArray()));
    }
    return file;
  }

  static byte[] tar(Map<String, String> files) throws IOException {
    var bytes = new ByteArrayOutputStream();
    var content = new java.util.TreeMap<String, byte[]>();
    files.forEach((k, v) -> content.put(k, v.getBytes(StandardCharsets.UTF_8)));
    writeTar(bytes, content);
    return bytes.toByteArray();
  }

  static void writeTar(OutputStream out, Map<String, byte[]> files) throws IOException {
    var tar = new TarArchiveOutputStream(out);
    for (var file : new java.util.TreeMap<>(files).entrySet()) {
      var entry = new TarArchiveEntry(file.getKey());
      entry.setSize(file.getValue().length);
      tar.putArchiveEntry(entry);
      tar.write(file.getValue());
      tar.closeArchiveEntry();
    }
    tar.finish();
  }

  /** A jar with the given entries (name to content). */
  static Path jar(Path file, Map<String, String> entries) throws IOException {
    Files.createDirectories(file.getParent());
    try (var zip = new ZipOutputStream(Files.newOutputStream(file))) {
      for (var entry : new java.util.TreeMap<>(entries).entrySet()) {
        zip.putNextEntry(new ZipEntry(entry.getKey()));
        zip.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return file;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
