package dev.mm1.controlplane.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real PostgreSQL server (zonky's embedded binaries, PostgreSQL 17) run by this JVM: the
 * local-mode database, and the one of the benchmark. With a data directory it keeps its data
 * across restarts.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  public static final String USER = "postgres";
  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts on {@code port} with its data in {@code dataDir}, created if missing and kept on stop. */
  public static EmbeddedDatabase start(Path dataDir, int port) {
    try {
      Files.createDirectories(dataDir);
      return new EmbeddedDatabase(EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setPort(port)
          .start());
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDir + " on port " + port
          + " (is another one using that directory or port? set MM1_DATA_DIR / MM1_EMBEDDED_DB_PORT, or MM1_DB_URL)", e);
    }
  }

  /** Starts on a free port with a throw-away data directory. */
  public static EmbeddedDatabase startTemporary() {
    try {
      return new EmbeddedDatabase(EmbeddedPostgres.builder().start());
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
    }
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
