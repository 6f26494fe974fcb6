package dev.mm1.controlplane;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real PostgreSQL (zonky's embedded binaries) for the tests, on a fixed port and a kept data
 * directory so a test can stop and restart it like a crashed database server.
 */
public class EmbeddedPostgresResource implements QuarkusTestResourceLifecycleManager {
  public static final String ADMIN_TOKEN = "mm1_test-admin-token-0123456789";
  private static EmbeddedPostgres postgres;
  private static Path dataDir;
  private static int port;

  @Override
  public synchronized Map<String, String> start() {
    try {
      if (postgres == null) {
        dataDir = Files.createTempDirectory(Path.of("target"), "embedded-pg-");
        try (ServerSocket socket = new ServerSocket(0)) {
          port = socket.getLocalPort();
        }
        startServer();
      }
      return Map.of(
          "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + port + "/postgres",
          "quarkus.datasource.username", "postgres",
          "mm1.auth.admin-token", ADMIN_TOKEN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void startServer() throws IOException {
    postgres = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port).start();
  }

  /** Stops the server as a crash or a restart would; the data stays. */
  public static synchronized void stopServer() throws IOException {
    postgres.close();
  }

  public static synchronized void restartServer() throws IOException {
    startServer();
  }

  @Override
  public void stop() {
    // The server lives as long as the test JVM: test classes with other profiles reuse it.
  }
}
