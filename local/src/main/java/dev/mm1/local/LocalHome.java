package dev.mm1.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The directory of the local platform ({@code ~/.mm1} by default) and what lives in it; everything
 * survives a restart of {@code ./mm1 up}.
 *
 * @param dir the directory
 */
public record LocalHome(Path dir) {
  /** The kubeconfig of the local API server. */
  public Path kubeconfig() {
    return dir.resolve("kubeconfig");
  }

  /** The API server's objects (its etcd). */
  public Path apiState() {
    return dir.resolve("api").resolve("objects.json");
  }

  /** The embedded PostgreSQL's data directory. */
  public Path postgres() {
    return dir.resolve("postgres");
  }

  /** The local node's root filesystem: hostPath /checkpoints/x is node/checkpoints/x. */
  public Path nodeRoot() {
    return dir.resolve("node");
  }

  /** Each pod's volumes and container log. */
  public Path pods() {
    return dir.resolve("pods");
  }

  /** Logs of the API server, control plane and operator. */
  public Path logs() {
    return dir.resolve("logs");
  }

  /** The node's own state (what its processes are marked with). */
  public Path nodeState() {
    return dir.resolve("node-state");
  }

  /** The admin token of the control plane (created once, kept private). */
  public Path adminToken() {
    return dir.resolve("admin-token");
  }

  /** Tokens the operator and the pods report with. */
  public Path tokens() {
    return dir.resolve("tokens.json");
  }

  /** Held while a {@code ./mm1 up} uses this directory. */
  public Path lock() {
    return dir.resolve("up.lock");
  }

  /** The admin token, created on first use (32 random bytes, readable by this user only). */
  public String adminTokenValue() throws IOException {
    var file = adminToken();
    if (Files.exists(file)) {
      return Files.readString(file).strip();
    }
    Files.createDirectories(dir);
    var bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    var token = "mm1_local_" + HexFormat.of().formatHex(bytes);
    Files.writeString(file, token + "\n");
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    return token;
  }

  /** Writes the kubeconfig of the local API server at {@code server} (context "mm1-local", namespace default). */
  public void writeKubeconfig(String server) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(kubeconfig(), """
        # Written by ./mm1 up: the local Kubernetes API of the MM1 platform.
        apiVersion: v1
        kind: Config
        clusters:
        - name: mm1-local
          cluster:
            server: %s
        users:
        - name: mm1-local
          user: {}
        contexts:
        - name: mm1-local
          context:
            cluster: mm1-local
            user: mm1-local
            namespace: default
        current-context: mm1-local
        """.formatted(server));
  }
}
