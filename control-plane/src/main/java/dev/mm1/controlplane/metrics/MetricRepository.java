package dev.mm1.controlplane.metrics;

import dev.mm1.api.rest.MetricPoint;
import dev.mm1.api.rest.MetricSeries;
import dev.mm1.controlplane.db.Transactions;
import dev.mm1.controlplane.problem.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Metric series and points: idempotent batch ingestion (upsert on series + step), min/max rollups
 * kept current by ingestion, and downsampled range queries answered from the rollups.
 */
@ApplicationScoped
public class MetricRepository {
  /** Rollup widths in steps, finest first; each is built from the one before (or the points). */
  static final int[] ROLLUP_WIDTHS = {64, 4096};
  /** Series names the runs list shows as the run's latest loss and throughput. */
  public static final String LOSS = "loss";
  public static final String TOKENS_PER_SECOND = "tokens_per_s";
  /** Namespace of the transaction-scoped advisory locks that order writers of one series. */
  private static final int SERIES_LOCK_SPACE = 0x6d6d31;

  /** Merges new points' extremes and count into a rollup row (min of mins, max of maxes, sum of counts). */
  private static final String MERGE_ROLLUP = """

        min_value = least(r.min_value, EXCLUDED.min_value),
        min_step = CASE WHEN ARRAY[EXCLUDED.min_value, EXCLUDED.min_step::float8]
            < ARRAY[r.min_value, r.min_step::float8] THEN EXCLUDED.min_step ELSE r.min_step END,
        max_value = greatest(r.max_value, EXCLUDED.max_value),
        max_step = CASE WHEN ARRAY[EXCLUDED.max_value, EXCLUDED.max_step::float8]
            > ARRAY[r.max_value, r.max_step::float8] THEN EXCLUDED.max_step ELSE r.max_step END,
        points = r.points + EXCLUDED.points""";
  /** The run's latest progress for the runs list, as a CTE of the ingestion statement (same round trip). */
  private static final String PROGRESS = """
      , progress AS (
        UPDATE run SET updated_at = now(),
          last_step = greatest(last_step, ?),
          last_loss = CASE WHEN ?::bigint >= coalesce(last_loss_step, -1) THEN ?::float8 ELSE last_loss END,
          last_loss_step = greatest(last_loss_step, ?::bigint),
          last_tokens_per_s = CASE WHEN ?::bigint >= coalesce(last_tokens_step, -1) THEN ?::float8 ELSE last_tokens_per_s END,
          last_tokens_step = greatest(last_tokens_step, ?::bigint)
        WHERE id = ? RETURNING 1)
      """;

  /**
   * Inserts the new points of a batch and, in the same statement, merges them into the rollups
   * (min of mins, max of maxes, sum of counts: exact for new points); answers how many were new.
   */
  private static final String INSERT_AND_MERGE = insertAndMerge();
  /**
   * Inserts points none of which is stored yet (a stored one fails it with a unique violation) and
   * merges the batch's own rollup rows ({@link BatchRollups}) and progress, in one round trip.
   */
  private static final String INSERT_NEW = """
      WITH stored AS (
        INSERT INTO metric_point (series_id, step, value, recorded_at)
        SELECT s, st, v, to_timestamp(t) FROM unnest(?::int[], ?::bigint[], ?::float8[], ?::float8[]) AS u(s, st, v, t))
      , merged AS (
        INSERT INTO metric_rollup AS r (series_id, width, bucket, min_value, min_step, max_value, max_step, points)
        SELECT * FROM unnest(?::int[], ?::int[], ?::bigint[], ?::float8[], ?::bigint[], ?::float8[], ?::bigint[], ?::int[])
        """ + "ON CONFLICT (series_id, width, bucket) DO UPDATE SET" + MERGE_ROLLUP + ")\n" + PROGRESS + "SELECT 1";
  /**
   * The shared locks of the batch's series, then {@link #INSERT_NEW}: two statements sent in one
   * round trip, which run as one transaction ({@link Transactions#executeAtomically}).
   */
  private static final String LOCK_SHARED_AND_INSERT_NEW = lockSeries("pg_advisory_xact_lock_shared") + ";\n" + INSERT_NEW;
  private static final String UNIQUE_VIOLATION = "23505";
  /** Replaces the values of points stored before; identical repeats are not written at all. */
  private static final String REPLACE = """
      UPDATE metric_point p SET value = u.v, recorded_at = to_timestamp(u.t)
      FROM unnest(?::int[], ?::bigint[], ?::float8[], ?::float8[]) AS u(s, st, v, t)
      WHERE p.series_id = u.s AND p.step = u.st AND p.value IS DISTINCT FROM u.v""";

  private final Transactions db;
  /** (run id, name) → series id. Series are never deleted, so entries never go stale. */
  private final Map<String, Integer> seriesIds = new ConcurrentHashMap<>();

  MetricRepository(Transactions db) {
    this.db = db;
  }

  /**
   * Stores validated points, replacing the value of a (name, step) stored before (of points
   * repeated within the batch the last one wins), and brings rollups and the run's latest progress
   * up to date. Answers the points as stored.
   *
   * <p>Most batches hold only new points (a trainer reports each step once), so they are first
   * stored by a plain INSERT, about 1.6 times cheaper than INSERT … ON CONFLICT, with rollup rows
   * computed here from the batch and merged in the same statement. A batch that repeats a stored
   * point fails that INSERT on the primary key and is then stored again by the conflict-aware path.
   * Fast writers of one series share an advisory lock; the conflict-aware path, which recomputes
   * rollup buckets from the points, holds it alone, so no concurrent merge slips past a recompute.
   *
   * @param now the time (epoch seconds) of points that carry none
   */
  public SortedPoints ingest(long runId, List<MetricPoint> points, double now) throws SQLException {
    Map<String, Integer> series = resolveSeries(runId, points);
    SortedPoints batch = SortedPoints.of(points, series, now);
    int[] lockOrder = batch.seriesInOrder();
    BatchRollups rollups = BatchRollups.of(ROLLUP_WIDTHS, batch.ids(), batch.steps(), batch.values());
    try {
      db.executeAtomically(LOCK_SHARED_AND_INSERT_NEW, (c, insert) -> {
        insert.setInt(1, SERIES_LOCK_SPACE);
        insert.setArray(2, BatchRollups.array(c, "int4", lockOrder));
        bindPoints(c, insert, 3, batch);
        rollups.bind(c, insert, 7);
        bindProgress(insert, 15, runId, batch, series);
      });
    } catch (SQLException e) {
      if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw e;
      }
      ingestWithConflicts(runId, batch, series, lockOrder);
    }
    return batch;
  }

  /** Stores a batch some of whose points were stored before: a retry, or a trainer resumed from a checkpoint. */
  private void ingestWithConflicts(long runId, SortedPoints batch, Map<String, Integer> series, int[] lockOrder)
      throws SQLException {
    db.inTransaction(c -> {
      lockSeries(c, "pg_advisory_xact_lock", lockOrder);
      long inserted;
      try (PreparedStatement insert = c.prepareStatement(INSERT_AND_MERGE)) {
        bindPoints(c, insert, 1, batch);
        bindProgress(insert, 5, runId, batch, series);
        try (ResultSet rs = insert.executeQuery()) {
          rs.next();
          inserted = rs.getLong(1);
        }
      }
      if (inserted < batch.size()) {
        int replaced;
        try (PreparedStatement replace = c.prepareStatement(REPLACE)) {
          bindPoints(c, replace, 1, batch);
          replaced = replace.executeUpdate();
        }
        if (replaced > 0) {
          // Merging cannot take back a replaced extreme: recompute the touched buckets from the points.
          updateRollups(c, batch.ids(), batch.steps());
        }
      }
      return null;
    });
  }

  private static String lockSeries(String lockFunction) {
    return "SELECT count(*) FROM (SELECT " + lockFunction + "(?, s) FROM unnest(?::int[]) AS u(s)) AS locked";
  }

  private static void lockSeries(Connection c, String lockFunction, int[] seriesIds) throws SQLException {
    try (PreparedStatement lock = c.prepareStatement(lockSeries(lockFunction))) {
      lock.setInt(1, SERIES_LOCK_SPACE);
      lock.setArray(2, BatchRollups.array(c, "int4", seriesIds));
      lock.executeQuery().close();
    }
  }

  /** Binds the four point arrays from parameter {@code first} on. */
  private static void bindPoints(Connection c, PreparedStatement statement, int first, SortedPoints batch)
      throws SQLException {
    statement.setArray(first, BatchRollups.array(c, "int4", batch.ids()));
    statement.setArray(first + 1, BatchRollups.array(c, "int8", batch.steps()));
    statement.setArray(first + 2, BatchRollups.array(c, "float8", batch.values()));
    statement.setArray(first + 3, BatchRollups.array(c, "float8", batch.times()));
  }

  private static String insertAndMerge() {
    StringBuilder sql = new StringBuilder("""
        WITH stored AS (
          INSERT INTO metric_point (series_id, step, value, recorded_at)
          SELECT s, st, v, to_timestamp(t) FROM unnest(?::int[], ?::bigint[], ?::float8[], ?::float8[]) AS u(s, st, v, t)
          ON CONFLICT (series_id, step) DO NOTHING
          RETURNING series_id, step, value)""");
    for (int width : ROLLUP_WIDTHS) {
      sql.append(("""
          , merged_%1$d AS (
            INSERT INTO metric_rollup AS r (series_id, width, bucket, min_value, min_step, max_value, max_step, points)
            SELECT series_id, %1$d, bucket, lo[1], lo[2]::bigint, hi[1], hi[2]::bigint, n FROM (
              SELECT series_id, step / %1$d AS bucket, min(ARRAY[value, step::float8]) AS lo,
                     max(ARRAY[value, step::float8]) AS hi, count(*)::int AS n
              FROM stored GROUP BY series_id, step / %1$d) batch
            ON CONFLICT (series_id, width, bucket) DO UPDATE SET""").formatted(width)).append(MERGE_ROLLUP)
          .append(" RETURNING 1)");
    }
    return sql.append('\n').append(PROGRESS).append("SELECT count(*) FROM stored").toString();
  }

  /** Recomputes the rollup buckets the new points fall in, level by level. */
  private static void updateRollups(Connection c, int[] ids, long[] steps) throws SQLException {
    int previousWidth = 1;
    Map<Integer, TreeSet<Long>> touched = new LinkedHashMap<>();
    for (int k = 0; k < ids.length; k++) {
      touched.computeIfAbsent(ids[k], id -> new TreeSet<>()).add(steps[k]);
    }
    for (int width : ROLLUP_WIDTHS) {
      int ratio = width / previousWidth;
      List<Integer> bucketSeries = new ArrayList<>();
      List<Long> buckets = new ArrayList<>();
      Map<Integer, TreeSet<Long>> next = new LinkedHashMap<>();
      for (var entry : touched.entrySet()) {
        TreeSet<Long> seen = new TreeSet<>();
        for (long unit : entry.getValue()) {
          if (seen.add(unit / ratio)) {
            bucketSeries.add(entry.getKey());
            buckets.add(unit / ratio);
          }
        }
        next.put(entry.getKey(), seen);
      }
      String source = previousWidth == 1
          ? """
            SELECT min(ARRAY[p.value, p.step::float8]) AS lo, max(ARRAY[p.value, p.step::float8]) AS hi, count(*)::int AS n
            FROM metric_point p WHERE p.series_id = t.s AND p.step >= t.b * ? AND p.step < (t.b + 1) * ?"""
          : """
            SELECT min(ARRAY[r.min_value, r.min_step::float8]) AS lo, max(ARRAY[r.max_value, r.max_step::float8]) AS hi,
                   sum(r.points)::int AS n
            FROM metric_rollup r WHERE r.series_id = t.s AND r.width = ? AND r.bucket >= t.b * ? AND r.bucket < (t.b + 1) * ?""";
      try (PreparedStatement rollup = c.prepareStatement("""
          INSERT INTO metric_rollup (series_id, width, bucket, min_value, min_step, max_value, max_step, points)
          SELECT t.s, ?, t.b, a.lo[1], a.lo[2]::bigint, a.hi[1], a.hi[2]::bigint, a.n
          FROM unnest(?::int[], ?::bigint[]) AS t(s, b) CROSS JOIN LATERAL (""" + source + """
          ) a
          WHERE a.n > 0
          ON CONFLICT (series_id, width, bucket) DO UPDATE SET min_value = EXCLUDED.min_value,
            min_step = EXCLUDED.min_step, max_value = EXCLUDED.max_value, max_step = EXCLUDED.max_step,
            points = EXCLUDED.points""")) {
        rollup.setInt(1, width);
        rollup.setArray(2, c.createArrayOf("int4", bucketSeries.toArray()));
        rollup.setArray(3, c.createArrayOf("int8", buckets.toArray()));
        if (previousWidth == 1) {
          rollup.setLong(4, ratio);
          rollup.setLong(5, ratio);
        } else {
          rollup.setInt(4, previousWidth);
          rollup.setLong(5, ratio);
          rollup.setLong(6, ratio);
        }
        rollup.executeUpdate();
      }
      touched = next;
      previousWidth = width;
    }
  }

  /** Binds the progress CTE's parameters (from {@code first}): latest step, loss and throughput of the batch. */
  private static void bindProgress(PreparedStatement statement, int first, long runId, SortedPoints batch,
      Map<String, Integer> series) throws SQLException {
    int loss = batch.latest(series.get(LOSS));
    int tokens = batch.latest(series.get(TOKENS_PER_SECOND));
    statement.setLong(first, batch.maxStep());
    statement.setObject(first + 1, loss < 0 ? null : batch.steps()[loss]);
    statement.setObject(first + 2, loss < 0 ? null : batch.values()[loss]);
    statement.setObject(first + 3, loss < 0 ? null : batch.steps()[loss]);
    statement.setObject(first + 4, tokens < 0 ? null : batch.steps()[tokens]);
    statement.setObject(first + 5, tokens < 0 ? null : batch.values()[tokens]);
    statement.setObject(first + 6, tokens < 0 ? null : batch.steps()[tokens]);
    statement.setLong(first + 7, runId);
  }

  /** Series ids of the points' names, creating the missing series (in their own transaction, so ids in the cache always exist). */
  private Map<String, Integer> resolveSeries(long runId, List<MetricPoint> points) throws SQLException {
    Map<String, Integer> ids = new HashMap<>();
    Set<String> missing = new LinkedHashSet<>();
    String lastName = null;
    for (MetricPoint p : points) {
      String name = p.name();
      if (name == lastName) {
        continue; // names parsed from one batch are mostly the same instance
      }
      lastName = name;
      if (!ids.containsKey(name) && !missing.contains(name)) {
        Integer id = seriesIds.get(runId + "\u0000" + name);
        if (id == null) {
          missing.add(name);
        } else {
          ids.put(name, id);
        }
      }
    }
    if (!missing.isEmpty()) {
      db.inTransaction(c -> {
        // Cached series prove their run exists; a new series is the moment to check.
        if (!runExists(c, runId)) {
          throw ApiException.notFound("no run with id '" + runId + "'");
        }
        String[] array = missing.toArray(String[]::new);
        try (PreparedStatement insert = c.prepareStatement("""
            INSERT INTO metric_series (run_id, name) SELECT ?, n FROM unnest(?::text[]) AS n
            ON CONFLICT (run_id, name) DO NOTHING""")) {
          insert.setLong(1, runId);
          insert.setArray(2, c.createArrayOf("text", array));
          insert.executeUpdate();
        }
        try (PreparedStatement select = c.prepareStatement(
            "SELECT name, id FROM metric_series WHERE run_id = ? AND name = ANY(?)")) {
          select.setLong(1, runId);
          select.setArray(2, c.createArrayOf("text", array));
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              ids.put(rs.getString(1), rs.getInt(2));
            }
          }
        }
        return null;
      });
      for (String name : missing) {
        seriesIds.put(runId + "\u0000" + name, ids.get(name));
      }
    }
    return ids;
  }

  public boolean runExists(long runId) throws SQLException {
    return db.read(c -> runExists(c, runId));
  }

  private static boolean runExists(Connection c, long runId) throws SQLException {
    try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM run WHERE id = ?")) {
      select.setLong(1, runId);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Names of a run's series, sorted. */
  public List<String> names(long runId) throws SQLException {
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT name FROM metric_series WHERE run_id = ? ORDER BY name")) {
        select.setLong(1, runId);
        try (ResultSet rs = select.executeQuery()) {
          List<String> names = new ArrayList<>();
          while (rs.next()) {
            names.add(rs.getString(1));
          }
          return names;
        }
      }
    });
  }

  /**
   * The points of each named series with {@code from <= step <= to}, at most {@code maxPoints}
   * (at least 10) per series. A longer range is cut into step buckets of equal width; each bucket
   * returns its minimum and its maximum at their steps, computed in SQL from the rollups where
   * whole rollup buckets fit and from the points at the range's ragged ends.
   */
  public List<MetricSeries> query(long runId, List<String> names, long from, long to, int maxPoints) throws SQLException {
    return db.read(c -> {
      Map<String, Integer> ids = new LinkedHashMap<>();
      try (PreparedStatement select = c.prepareStatement(
          "SELECT name, id FROM metric_series WHERE run_id = ? AND name = ANY(?)")) {
        select.setLong(1, runId);
        select.setArray(2, c.createArrayOf("text", names.toArray()));
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            ids.put(rs.getString(1), rs.getInt(2));
          }
        }
      }
      List<MetricSeries> result = new ArrayList<>();
      for (String name : names) {
        Integer id = ids.get(name);
        result.add(id == null ? new MetricSeries(name, List.of(), List.of(), false)
            : series(c, name, id, from, to, maxPoints));
      }
      return result;
    });
  }

  private static MetricSeries series(Connection c, String name, int seriesId, long from, long to, int maxPoints)
      throws SQLException {
    long lo;
    long hi;
    try (PreparedStatement bounds = c.prepareStatement("""
        SELECT (SELECT step FROM metric_point WHERE series_id = ? AND step >= ? ORDER BY step LIMIT 1),
               (SELECT step FROM metric_point WHERE series_id = ? AND step <= ? ORDER BY step DESC LIMIT 1)""")) {
      bounds.setInt(1, seriesId);
      bounds.setLong(2, from);
      bounds.setInt(3, seriesId);
      bounds.setLong(4, to);
      try (ResultSet rs = bounds.executeQuery()) {
        rs.next();
        lo = rs.getLong(1);
        boolean empty = rs.wasNull();
        hi = rs.getLong(2);
        if (empty || rs.wasNull() || hi < lo) {
          return new MetricSeries(name, List.of(), List.of(), false);
        }
      }
    }
    List<Long> steps = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    long range = hi - lo + 1;
    if (range <= maxPoints) { // steps are unique, so this range holds at most maxPoints points
      try (PreparedStatement select = c.prepareStatement(
          "SELECT step, value FROM metric_point WHERE series_id = ? AND step BETWEEN ? AND ? ORDER BY step")) {
        select.setInt(1, seriesId);
        select.setLong(2, lo);
        select.setLong(3, hi);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            steps.add(rs.getLong(1));
            values.add(rs.getDouble(2));
          }
        }
      }
      return new MetricSeries(name, steps, values, false);
    }
    // Buckets anchored at step 0 that the range touches: at most maxPoints / 2, two points each.
    long buckets = Math.max(1, maxPoints / 2 - 1);
    long bucketWidth = Math.ceilDiv(range, buckets);
    int rollupWidth = 1;
    for (int width : ROLLUP_WIDTHS) {
      if (width <= bucketWidth) {
        rollupWidth = width;
      }
    }
    bucketWidth = Math.ceilDiv(bucketWidth, rollupWidth) * rollupWidth; // whole rollup buckets per bucket
    long firstRollup = rollupWidth == 1 ? 1 : Math.ceilDiv(lo, rollupWidth);
    long lastRollup = rollupWidth == 1 ? 0 : Math.floorDiv(hi + 1, rollupWidth) - 1;
    long[] head;
    long[] tail;
    if (firstRollup > lastRollup) {
      firstRollup = 1;
      lastRollup = 0;
      head = new long[] {lo, hi};
      tail = new long[] {1, 0};
    } else {
      head = new long[] {lo, firstRollup * rollupWidth - 1};
      tail = new long[] {(lastRollup + 1) * rollupWidth, hi};
    }
    record Extreme(long step, double value) {}
    List<Extreme> extremes = new ArrayList<>();
    try (PreparedStatement select = c.prepareStatement("""
        SELECT min(ARRAY[lo, lo_step::float8]) AS lo, max(ARRAY[hi, hi_step::float8]) AS hi FROM (
          SELECT min_step AS lo_step, min_value AS lo, max_step AS hi_step, max_value AS hi FROM metric_rollup
           WHERE series_id = ? AND width = ? AND bucket BETWEEN ? AND ?
          UNION ALL
          SELECT step, value, step, value FROM metric_point WHERE series_id = ? AND step BETWEEN ? AND ?
          UNION ALL
          SELECT step, value, step, value FROM metric_point WHERE series_id = ? AND step BETWEEN ? AND ?
        ) source GROUP BY lo_step / ?""")) {
      select.setInt(1, seriesId);
      select.setInt(2, rollupWidth);
      select.setLong(3, firstRollup);
      select.setLong(4, lastRollup);
      select.setInt(5, seriesId);
      select.setLong(6, head[0]);
      select.setLong(7, head[1]);
      select.setInt(8, seriesId);
      select.setLong(9, tail[0]);
      select.setLong(10, tail[1]);
      select.setLong(11, bucketWidth);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          Double[] min = (Double[]) rs.getArray(1).getArray();
          Double[] max = (Double[]) rs.getArray(2).getArray();
          extremes.add(new Extreme(min[1].longValue(), min[0]));
          if (max[1].longValue() != min[1].longValue()) {
            extremes.add(new Extreme(max[1].longValue(), max[0]));
          }
        }
      }
    }
    extremes.sort(Comparator.comparingLong(Extreme::step));
    for (Extreme e : extremes) {
      steps.add(e.step());
      values.add(e.value());
    }
    return new MetricSeries(name, steps, values, true);
  }
}
