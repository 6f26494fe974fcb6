package dev.mm1.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The migrations applied to an empty, real PostgreSQL, and the constraints they promise. */
class MigrationTest {
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void migrateFromEmpty() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    var result = Flyway.configure().dataSource(postgres.getPostgresDatabase()).load().migrate();
    assertThat(result.success).isTrue();
    assertThat(result.migrationsExecuted).isGreaterThanOrEqualTo(1);
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  @Test
  void createsEveryTableAndSixteenMetricPartitions() throws SQLException {
    assertThat(query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        .contains("run", "run_state_change", "metric_series", "checkpoint", "eval_result", "api_token", "metric_rollup")
        .filteredOn(t -> t.startsWith("metric_point_p"))
        .hasSize(16);
    assertThat(query("SELECT relkind::text FROM pg_class WHERE relname = 'metric_point'")).containsExactly("p");
  }

  @Test
  void metricPointsAreUniquePerSeriesAndStep() throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO run (external_id, name, namespace, kind) VALUES ('uid-points', 'r', 'ns', 'Training')");
      s.execute("INSERT INTO metric_series (run_id, name) SELECT id, 'loss' FROM run WHERE external_id = 'uid-points'");
      String insert = "INSERT INTO metric_point (series_id, step, value, recorded_at) "
          + "SELECT id, 7, 2.5, now() FROM metric_series WHERE name = 'loss' ";
      s.execute(insert);
      assertThatThrownBy(() -> s.execute(insert)).hasMessageContaining("duplicate key");
      s.execute(insert + "ON CONFLICT (series_id, step) DO NOTHING");
    }
    assertThat(query("SELECT count(*)::text FROM metric_point")).containsExactly("1");
  }

  @Test
  void rejectsMalformedCheckpointsAndUnknownScopes() throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO run (external_id, name, namespace, kind) VALUES ('uid-ckpt', 'r', 'ns', 'Training')");
      assertThatThrownBy(() -> s.execute("INSERT INTO checkpoint (run_id, step, uri, sha256, bytes, committed_at) "
              + "SELECT id, 1, 'file:/x', 'not-a-sha', 1, now() FROM run WHERE external_id = 'uid-ckpt'"))
          .hasMessageContaining("checkpoint_sha256_check");
      assertThatThrownBy(() -> s.execute("INSERT INTO api_token (name, token_sha256, scopes) "
              + "VALUES ('t', sha256('x'), ARRAY['root'])"))
          .hasMessageContaining("api_token_scopes_check");
      assertThatThrownBy(() -> s.execute("INSERT INTO run (external_id, name, namespace, kind, state) "
              + "VALUES ('uid-state', 'r', 'ns', 'Training', 'Exploded')"))
          .hasMessageContaining("run_state_check");
    }
  }

  private static List<String> query(String sql) throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rs.next()) {
        values.add(rs.getString(1));
      }
      return values;
    }
  }
}
