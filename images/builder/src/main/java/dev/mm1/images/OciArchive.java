package dev.mm1.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * An image written as an OCI image-layout tarball ({@code index.json}, {@code oci-layout},
 * {@code blobs/sha256/...}): its manifest digest, config and layers, read back for the build
 * report and the checks of tests.
 *
 * @param manifestDigest {@code sha256:...} of the manifest, the image's digest in a registry
 * @param config the image config (architecture, os, config.User, Entrypoint, Labels, rootfs)
 * @param layers the layers in order, with their compressed sizes
 */
public record OciArchive(String manifestDigest, JsonNode config, List<Blob> layers) {
  /**
   * A blob the manifest names.
   *
   * @param digest {@code sha256:...}
   * @param size its size in bytes (compressed, as pushed and pulled)
   */
  public record Blob(String digest, long size) {}

  /** Reads {@code tarball}; only its small JSON blobs are kept in memory. */
  public static OciArchive read(Path tarball) {
    var json = new ObjectMapper();
    Map<String, byte[]> small = new HashMap<>();
    try (var tar = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(tarball)))) {
      for (var entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        if (!entry.isDirectory() && entry.getSize() < (1 << 20)) {
          small.put(entry.getName().replaceFirst("^\\./", ""), tar.readAllBytes());
        }
      }
      var index = small.get("index.json");
      if (index == null) {
        throw new IllegalArgumentException(tarball + " is not an OCI image layout (no index.json)");
      }
      var manifestDigest = json.readTree(index).path("manifests").path(0).path("digest").asText();
      var manifest = json.readTree(blob(small, manifestDigest, tarball));
      var config = json.readTree(blob(small, manifest.path("config").path("digest").asText(), tarball));
      var layers = new ArrayList<Blob>();
      for (var layer : manifest.path("layers")) {
        layers.add(new Blob(layer.path("digest").asText(), layer.path("size").asLong()));
      }
      return new OciArchive(manifestDigest, config, List.copyOf(layers));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the image " + tarball, e);
    }
  }

  private static byte[] blob(Map<String, byte[]> small, String digest, Path tarball) {
    var bytes = small.get("blobs/" + digest.replace(':', '/'));
    if (bytes == null) {
      throw new IllegalArgumentException(tarball + " lacks the blob " + digest);
    }
    return bytes;
  }

  /** Sum of the compressed layer sizes. */
  public long size() {
    return layers.stream().mapToLong(Blob::size).sum();
  }
}
