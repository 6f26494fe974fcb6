package dev.mm1.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The image every MM1 image is built on: a registry image (for users, e.g.
 * {@code eclipse-temurin:25-jre}) or, on machines without a registry, a tarball made from Debian's
 * packages by {@code images/base/make-base.sh} ({@code tar:///path/base.tar}). Checked before Jib
 * runs, so that a missing file, a wrong format, a wrong platform or an unreachable registry is one
 * sentence saying how to fix it.
 */
public sealed interface BaseImage {
  String MAKE_BASE = "images/base/make-base.sh";

  /** What Jib is given: {@code tar://...} or the registry reference. */
  String jibReference();

  /** How the label {@code org.opencontainers.image.base.name} names the base. */
  String labelName();

  /**
   * A base in Docker's archive format ({@code docker save}, which Jib reads).
   *
   * @param path the tarball
   * @param platform the OS and architecture its config declares
   */
  record Tarball(Path path, TargetPlatform platform) implements BaseImage {
    @Override
    public String jibReference() {
      return Jib.TAR_IMAGE_PREFIX + path.toAbsolutePath();
    }

    @Override
    public String labelName() {
      return "local/" + path.getFileName();
    }
  }

  /**
   * A base pulled from a registry.
   *
   * @param reference the parsed reference
   */
  record Registry(ImageReference reference) implements BaseImage {
    @Override
    public String jibReference() {
      return reference.toString();
    }

    @Override
    public String labelName() {
      return reference.toString();
    }
  }

  /**
   * Reads {@code text} ({@code tar://PATH} or a registry reference) and checks the base can be used
   * for {@code platform}: a tarball must exist, be a Docker archive and declare that platform; a
   * registry must answer on its port unless {@code offline} (then Jib's cache must hold the base).
   */
  static BaseImage resolve(String text, TargetPlatform platform, boolean offline) {
    if (text == null || text.isBlank()) {
      throw ImageBuildException.invalid("no base image given: set -Dmm1.base=eclipse-temurin:25-jre (needs a registry) or"
          + " -Dmm1.base=tar:///path/base.tar made by " + MAKE_BASE);
    }
    text = text.strip();
    if (text.startsWith(Jib.TAR_IMAGE_PREFIX)) {
      var path = Path.of(text.substring(Jib.TAR_IMAGE_PREFIX.length()));
      var tarball = new Tarball(path, readPlatform(path));
      if (!tarball.platform().equals(platform)) {
        throw ImageBuildException.invalid("base image tarball " + path + " is for " + tarball.platform() + ", but the images"
            + " are built for " + platform + "; make a base for " + platform + " with " + MAKE_BASE + " on a "
            + platform.architecture() + " machine, or build for " + tarball.platform() + " with -Dmm1.platform="
            + tarball.platform());
      }
      return tarball;
    }
    if (text.startsWith(Jib.DOCKER_DAEMON_IMAGE_PREFIX)) {
      throw ImageBuildException.invalid("base image " + text + " would need a Docker daemon; the images are built without"
          + " one: use a registry reference or tar:///path/base.tar made by " + MAKE_BASE);
    }
    ImageReference reference;
    try {
      reference = ImageReference.parse(text.startsWith(Jib.REGISTRY_IMAGE_PREFIX)
          ? text.substring(Jib.REGISTRY_IMAGE_PREFIX.length()) : text);
    } catch (InvalidImageReferenceException e) {
      throw ImageBuildException.invalid("base image '" + text + "' is neither tar:///path/base.tar nor an image reference"
          + " such as eclipse-temurin:25-jre");
    }
    if (!offline) {
      Registries.requireReachable(reference.getRegistry(), "the base image " + text + " is pulled from "
          + reference.getRegistry() + ", which",
          "On a machine without a registry, make a base from Debian's packages with " + MAKE_BASE
              + " target/images/base.tar and build with -Dmm1.base=tar://$PWD/target/images/base.tar");
    }
    return new Registry(reference);
  }

  /** The {@code os/architecture} of a Docker-archive tarball's config, with errors that name the file. */
  static TargetPlatform readPlatform(Path path) {
    if (!Files.isRegularFile(path)) {
      throw ImageBuildException.invalid("base image tarball " + path.toAbsolutePath() + " does not exist. Make it with "
          + MAKE_BASE + " " + path + " (Debian's debootstrap and a JDK 25; see images/README.md), or use a registry base"
          + " such as -Dmm1.base=eclipse-temurin:25-jre where a registry is reachable");
    }
    var json = new ObjectMapper();
    Map<String, byte[]> small = new HashMap<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path));
        var tar = new TarArchiveInputStream(in)) {
      for (var entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        var name = entry.getName().replaceFirst("^\\./", "");
        if (!entry.isDirectory() && (name.endsWith(".json") || name.equals("oci-layout")) && entry.getSize() < (1 << 20)) {
          small.put(name, tar.readAllBytes());
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      throw ImageBuildException.invalid("base image tarball " + path + " is not a tar archive (" + e.getMessage()
          + "); make it with " + MAKE_BASE);
    }
    if (!small.containsKey("manifest.json")) {
      throw ImageBuildException.invalid("base image tarball " + path + " has no manifest.json, so it is not in Docker's archive"
          + " format (docker save), the one Jib reads" + (small.containsKey("index.json")
              ? "; it is an OCI archive: convert it with skopeo copy oci-archive:" + path + " docker-archive:base.tar"
              : "; make it with " + MAKE_BASE));
    }
    try {
      JsonNode manifest = json.readTree(small.get("manifest.json"));
      var configName = manifest.path(0).path("Config").asText("");
      var config = small.get(configName);
      if (config == null) {
        throw ImageBuildException.invalid("base image tarball " + path + ": manifest.json names the config '" + configName
            + "', which the archive does not hold; make it again with " + MAKE_BASE);
      }
      var node = json.readTree(config);
      var os = node.path("os").asText("");
      var architecture = node.path("architecture").asText("");
      if (os.isEmpty() || architecture.isEmpty()) {
        throw ImageBuildException.invalid("base image tarball " + path + ": its config " + configName
            + " declares no os and architecture; make it again with " + MAKE_BASE);
      }
      return new TargetPlatform(os, architecture);
    } catch (IOException e) {
      throw ImageBuildException.invalid("base image tarball " + path + " holds malformed JSON (" + e.getMessage()
          + "); make it again with " + MAKE_BASE);
    }
  }

  /** Whether a registry answers on its port, checked before Jib retries and waits. */
  final class Registries {
    private Registries() {}

    static void requireReachable(String registry, String subject, String fix) {
      var hostPort = registry.split(":", 2);
      var port = hostPort.length == 2 ? parsePort(hostPort[1], registry) : 443;
      try (var socket = new Socket()) {
        socket.connect(new InetSocketAddress(hostPort[0], port), 5_000);
      } catch (IOException e) {
        var why = e instanceof java.net.UnknownHostException ? "unknown host" : e.getMessage();
        throw new ImageBuildException(ImageBuildException.REGISTRY, subject + " this machine cannot reach (" + hostPort[0]
            + ":" + port + ": " + why + "). " + fix);
      }
    }

    private static int parsePort(String text, String registry) {
      try {
        return Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw ImageBuildException.invalid("registry '" + registry + "' has a port that is not a number");
      }
    }
  }
}
