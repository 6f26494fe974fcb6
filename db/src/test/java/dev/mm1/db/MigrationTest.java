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
  void createsEveryTable() throws SQLException {
    assertThat(query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        .contains("run", "run_state_change", "metric_series", "checkpoint", "eval_result", "api_token", "metric_rollup",
            "metric_chunk")
        .doesNotContain("metric_point");
    // Chunk arrays are stored uncompressed (compression cost more than the insert).
    assertThat(query("SELECT attstorage::text FROM pg_attribute WHERE attrelid = 'metric_chunk'::regclass"
        + " AND attname IN ('steps', 'vals', 'times_us')")).containsExactly("e", "e", "e");
  }

  @Test
  void metricChunksAreUniquePerSeriesAndFirstStepAndConsistent() throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("INSERT INTO run (external_id, name, namespace, kind) VALUES ('uid-points', 'r', 'ns', 'Training')");
      s.execute("INSERT INTO metric_series (run_id, name) SELECT id, 'loss' FROM run WHERE external_id = 'uid-points'");
      String insert = "INSERT INTO metric_chunk (series_id, first_step, last_step, steps, vals, times_us) "
          + "SELECT id, 7, 8, '{7,8}', '{2.5,2.25}', '{1,2}' FROM metric_series WHERE name = 'loss' ";
      s.execute(insert);
      assertThatThrownBy(() -> s.execute(insert)).hasMessageContaining("duplicate key");
      assertThatThrownBy(() -> s.execute(insert.replace("'{1,2}'", "'{1}'").replace("7, 8,", "9, 9,")))
          .hasMessageContaining("metric_chunk_check1");
      assertThatThrownBy(() -> s.execute(insert.replace("7, 8,", "10, 9,")))
          .hasMessageContaining("metric_chunk_check");
    }
    assertThat(query("SELECT count(*)::text FROM metric_chunk")).containsExactly("1");
  }

  /** A database at V1 with points in metric_point: V2 moves them into chunks of 1 000-step ranges. */
  @Test
  void pointsStoredBeforeChunksAreMovedIntoChunks() throws Exception {
    try (EmbeddedPostgres v1 = EmbeddedPostgres.builder().start()) {
      Flyway.configure().dataSource(v1.getPostgresDatabase()).target("1").load().migrate();
      try (Connection c = v1.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        s.execute("INSERT INTO run (external_id, name, namespace, kind) VALUES ('uid-v1', 'r', 'ns', 'Training')");
        s.execute("INSERT INTO metric_series (run_id, name) SELECT id, n FROM run, unnest(ARRAY['loss', 'lr']) AS n");
        // loss at steps 0..2499 (value = step / 10), lr at 5 and 3 000; recorded 1.5 s after the epoch.
        s.execute("INSERT INTO metric_point (series_id, step, value, recorded_at) SELECT id, st, st / 10.0,"
            + " to_timestamp(1.5) FROM metric_series, generate_series(0, 2499) AS st WHERE name = 'loss'");
        s.execute("INSERT INTO metric_point (series_id, step, value, recorded_at) SELECT id, st, 0.001,"
            + " to_timestamp(1.5) FROM metric_series, unnest(ARRAY[3000, 5]) AS st WHERE name = 'lr'");
        // V1's 64-step rollups of loss, as ingestion kept them.
        s.execute("INSERT INTO metric_rollup SELECT series_id, 64, step / 64, min(value), min(step), max(value),"
            + " max(step), count(*) FROM metric_point JOIN metric_series ON id = series_id WHERE name = 'loss'"
            + " GROUP BY series_id, step / 64");
      }
      var result = Flyway.configure().dataSource(v1.getPostgresDatabase()).load().migrate();
      assertThat(result.success).isTrue();
      try (Connection c = v1.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT name, first_step, last_step, cardinality(steps), steps[1], vals[2],"
              + " times_us[1] FROM metric_chunk JOIN metric_series ON id = series_id ORDER BY name, first_step")) {
        List<String> chunks = new ArrayList<>();
        while (rs.next()) {
          chunks.add(rs.getString(1) + " " + rs.getLong(2) + ".." + rs.getLong(3) + " n=" + rs.getInt(4)
              + " first=" + rs.getLong(5) + " second value=" + rs.getObject(6) + " t=" + rs.getLong(7));
        }
        assertThat(chunks).containsExactly(
            "loss 0..999 n=1000 first=0 second value=0.1 t=1500000",
            "loss 1000..1999 n=1000 first=1000 second value=100.1 t=1500000",
            "loss 2000..2499 n=500 first=2000 second value=200.1 t=1500000",
            "lr 5..5 n=1 first=5 second value=null t=1500000",
            "lr 3000..3000 n=1 first=3000 second value=null t=1500000");
      }
      // The 512-step level, built from the 64s: loss rises with the step, so each bucket's min is its first step.
      try (Connection c = v1.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT bucket, min_step, max_step, points FROM metric_rollup"
              + " WHERE width = 512 ORDER BY bucket")) {
        List<String> buckets = new ArrayList<>();
        while (rs.next()) {
          buckets.add(rs.getLong(1) + ": " + rs.getLong(2) + ".." + rs.getLong(3) + " n=" + rs.getInt(4));
        }
        assertThat(buckets).containsExactly("0: 0..511 n=512", "1: 512..1023 n=512", "2: 1024..1535 n=512",
            "3: 1536..2047 n=512", "4: 2048..2499 n=452");
      }
    }
  }

  /** A database at V2: V3 gives every stored rollup the times of its extremes, read from the points. */
  @Test
  void rollupsStoredBeforeV3GetTheTimesOfTheirExtremes() throws Exception {
    try (EmbeddedPostgres v2 = EmbeddedPostgres.builder().start()) {
      Flyway.configure().dataSource(v2.getPostgresDatabase()).target("2").load().migrate();
      try (Connection c = v2.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        s.execute("INSERT INTO run (external_id, name, namespace, kind) VALUES ('uid-v2', 'r', 'ns', 'Training')");
        s.execute("INSERT INTO metric_series (run_id, name) SELECT id, 'loss' FROM run");
        // Steps 0..199 in two chunks; value = (step - 70)^2 (minimum at 70), time = 1000 + step microseconds.
        s.execute("INSERT INTO metric_chunk (series_id, first_step, last_step, steps, vals, times_us)"
            + " SELECT id, lo, lo + 99, array_agg(st ORDER BY st), array_agg(((st - 70) * (st - 70))::float8 ORDER BY st),"
            + " array_agg(1000 + st ORDER BY st) FROM metric_series, generate_series(0, 1) AS k(k),"
            + " LATERAL (SELECT k * 100 AS lo) l, LATERAL generate_series(lo, lo + 99) AS st GROUP BY id, lo");
        s.execute("INSERT INTO metric_rollup (series_id, width, bucket, min_value, min_step, max_value, max_step, points)"
            + " SELECT series_id, 64, st / 64, min(v), (array_agg(st ORDER BY v, st))[1], max(v),"
            + " (array_agg(st ORDER BY v DESC, st DESC))[1], count(*) FROM metric_chunk,"
            + " unnest(steps, vals) AS p(st, v) GROUP BY series_id, st / 64");
      }
      assertThat(Flyway.configure().dataSource(v2.getPostgresDatabase()).load().migrate().success).isTrue();
      try (Connection c = v2.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT bucket, min_step, min_time_us, max_step, max_time_us FROM metric_rollup"
              + " ORDER BY bucket")) {
        List<String> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(rs.getLong(1) + ": min " + rs.getLong(2) + "@" + rs.getLong(3) + " max " + rs.getLong(4) + "@"
              + rs.getLong(5));
        }
        assertThat(rows).containsExactly("0: min 63@1063 max 0@1000", "1: min 70@1070 max 127@1127",
            "2: min 128@1128 max 191@1191", "3: min 192@1192 max 199@1199");
      }
      try (Connection c = v2.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        assertThatThrownBy(() -> s.execute("INSERT INTO run_state_change (run_id, to_state, actor, attempt)"
            + " SELECT id, 'Running', 't', 0 FROM run")).hasMessageContaining("run_state_change_attempt_check");
      }
    }
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
