package dev.mm1.controlplane;

import dev.mm1.controlplane.db.EmbeddedDatabase;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.nio.file.Path;

/**
 * Starts the control plane. Without {@code MM1_DB_URL} it first starts an embedded PostgreSQL
 * whose data survives restarts ({@code MM1_DATA_DIR}, default {@code ~/.mm1/postgres}), so a
 * laptop needs nothing installed; clusters set {@code MM1_DB_URL} to their PostgreSQL.
 */
@QuarkusMain
public final class ControlPlaneMain {
  private ControlPlaneMain() {}

  public static void main(String... args) throws Exception {
    if (blank(System.getenv("MM1_DB_URL")) && blank(System.getProperty("MM1_DB_URL"))
        && blank(System.getProperty("quarkus.datasource.jdbc.url"))) {
      Path dataDir = Path.of(setting("MM1_DATA_DIR", System.getProperty("user.home") + "/.mm1/postgres"));
      int port = Integer.parseInt(setting("MM1_EMBEDDED_DB_PORT", "54329"));
      EmbeddedDatabase database = EmbeddedDatabase.start(dataDir, port);
      Runtime.getRuntime().addShutdownHook(new Thread(database::close, "embedded-postgres-stop"));
      System.setProperty("MM1_DB_URL", database.jdbcUrl());
      System.setProperty("MM1_DB_USER", EmbeddedDatabase.USER);
    }
    Quarkus.run(args);
  }

  private static String setting(String name, String fallback) {
    String value = System.getenv(name);
    return blank(value) ? System.getProperty(name, fallback) : value;
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
