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
import java.util.HashSet;
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
 *
 * <p>Points are stored in chunks ({@code metric_chunk}): a row per series and batch holding that
 * series' points of the batch in parallel arrays ordered by step. The chunks of a series cover
 * disjoint step ranges, so a step is stored at most once; writers of a series hold its advisory
 * lock while they check and keep that.
 */
@ApplicationScoped
public class MetricRepository {
  /**
   * Rollup widths in steps, finest first; each is built from the one before (or the points) and
   * is 8 times it, so a downsampled query reads at most about 8 rollup rows per bucket it returns.
   */
  static final int[] ROLLUP_WIDTHS = {64, 512, 4096};
  /**
   * A series' last chunk with fewer points than this takes the next batch's points of the series
   * when they all fit and follow it, instead of a new chunk: batches of a few points each (a
   * trainer reporting every step) still make chunks of about this many points, at the price of
   * rewriting at most this many points (3 KB) per batch.
   */
  static final int SMALL_CHUNK = 128;
  /** The most points a chunk holds when batches are merged (a batch's own chunks hold at most the batch limit). */
  static final int MAX_MERGED_CHUNK = 10_000;
  /** Series names the runs list shows as the run's latest loss and throughput. */
  public static final String LOSS = "loss";
  public static final String TOKENS_PER_SECOND = "tokens_per_s";
  /** Namespace of the transaction-scoped advisory locks that order writers of one series. */
  private static final int SERIES_LOCK_SPACE = 0x6d6d31;
  /** Takes the series' locks, in ascending id order (so two writers never wait on each other in a cycle). */
  private static final String LOCK_SERIES =
      "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(?, s) FROM unnest(?::int[]) AS u(s)) AS locked";

  /**
   * Merges new points' extremes and count into a rollup row (min of mins, max of maxes, sum of
   * counts); an extreme's time goes with its step (every right-hand side sees the old row).
   */
  private static final String MERGE_ROLLUP = """

        min_value = least(r.min_value, EXCLUDED.min_value),
        min_step = CASE WHEN ARRAY[EXCLUDED.min_value, EXCLUDED.min_step::float8]
            < ARRAY[r.min_value, r.min_step::float8] THEN EXCLUDED.min_step ELSE r.min_step END,
        min_time_us = CASE WHEN ARRAY[EXCLUDED.min_value, EXCLUDED.min_step::float8]
            < ARRAY[r.min_value, r.min_step::float8] THEN EXCLUDED.min_time_us ELSE r.min_time_us END,
        max_value = greatest(r.max_value, EXCLUDED.max_value),
        max_step = CASE WHEN ARRAY[EXCLUDED.max_value, EXCLUDED.max_step::float8]
            > ARRAY[r.max_value, r.max_step::float8] THEN EXCLUDED.max_step ELSE r.max_step END,
        max_time_us = CASE WHEN ARRAY[EXCLUDED.max_value, EXCLUDED.max_step::float8]
            > ARRAY[r.max_value, r.max_step::float8] THEN EXCLUDED.max_time_us ELSE r.max_time_us END,
        points = r.points + EXCLUDED.points""";
  /** The run's latest progress for the runs list. */
  private static final String UPDATE_PROGRESS = """
      UPDATE run SET updated_at = now(),
        last_step = greatest(last_step, ?),
        last_loss = CASE WHEN ?::bigint >= coalesce(last_loss_step, -1) THEN ?::float8 ELSE last_loss END,
        last_loss_step = greatest(last_loss_step, ?::bigint),
        last_tokens_per_s = CASE WHEN ?::bigint >= coalesce(last_tokens_step, -1) THEN ?::float8 ELSE last_tokens_per_s END,
        last_tokens_step = greatest(last_tokens_step, ?::bigint)
      WHERE id = ?""";

  /**
   * The batch's series locks, then one statement that stores the batch as one chunk per series
   * (or appends it to the series' last chunk while that is small: {@link #SMALL_CHUNK}), merges
   * its rollup rows ({@link BatchRollups}) and updates the run's progress, unless a chunk
   * of a series already covers part of the batch's step range of that series: then it writes
   * nothing and answers true. Sent in one round trip, run as one transaction
   * ({@link Transactions#executeAtomically}).
   *
   * <p>Overlap: chunks of a series are disjoint, so the one with the lowest last step at or after
   * a new chunk's first step is the only one that can start at or before its last step (one index
   * probe, however long the series).
   */
  private static final String LOCK_AND_STORE_NEW = LOCK_SERIES + ";\n" + """
      WITH chunk AS (
        SELECT * FROM unnest(?::int[], ?::bigint[], ?::bigint[], ?::int[], ?::int[])
          AS b(series_id, first_step, last_step, first_point, points))
      , point AS (SELECT ?::bigint[] AS steps, ?::float8[] AS vals, ?::bigint[] AS times_us)
      , overlap AS (
        SELECT 1 FROM chunk b CROSS JOIN LATERAL (
          SELECT c.first_step FROM metric_chunk c WHERE c.series_id = b.series_id AND c.last_step >= b.first_step
          ORDER BY c.last_step LIMIT 1) next
        WHERE next.first_step <= b.last_step LIMIT 1)
      , tail AS (
        SELECT b.series_id, t.first_step FROM chunk b CROSS JOIN LATERAL (
          SELECT c.first_step, c.last_step, cardinality(c.steps) AS points FROM metric_chunk c
          WHERE c.series_id = b.series_id ORDER BY c.last_step DESC LIMIT 1) t
        WHERE t.last_step < b.first_step AND t.points + b.points <= """ + SMALL_CHUNK + """
      )
      , appended AS (
        UPDATE metric_chunk c SET last_step = b.last_step,
          steps = c.steps || p.steps[b.first_point : b.first_point + b.points - 1],
          vals = c.vals || p.vals[b.first_point : b.first_point + b.points - 1],
          times_us = c.times_us || p.times_us[b.first_point : b.first_point + b.points - 1]
        FROM chunk b, point p, tail t
        WHERE t.series_id = b.series_id AND c.series_id = t.series_id AND c.first_step = t.first_step
          AND NOT EXISTS (SELECT 1 FROM overlap))
      , stored AS (
        INSERT INTO metric_chunk (series_id, first_step, last_step, steps, vals, times_us)
        SELECT b.series_id, b.first_step, b.last_step, p.steps[b.first_point : b.first_point + b.points - 1],
               p.vals[b.first_point : b.first_point + b.points - 1], p.times_us[b.first_point : b.first_point + b.points - 1]
        FROM chunk b, point p
        WHERE NOT EXISTS (SELECT 1 FROM overlap) AND NOT EXISTS (SELECT 1 FROM tail t WHERE t.series_id = b.series_id))
      , merged AS (
        INSERT INTO metric_rollup AS r (series_id, width, bucket, min_value, min_step, max_value, max_step, points,
          min_time_us, max_time_us)
        SELECT * FROM unnest(?::int[], ?::int[], ?::bigint[], ?::float8[], ?::bigint[], ?::float8[], ?::bigint[], ?::int[],
          ?::bigint[], ?::bigint[])
        WHERE NOT EXISTS (SELECT 1 FROM overlap)
        ON CONFLICT (series_id, width, bucket) DO UPDATE SET""" + MERGE_ROLLUP + """
      )
      , progress AS (
      """ + UPDATE_PROGRESS + """
       AND NOT EXISTS (SELECT 1 FROM overlap) RETURNING 1)
      SELECT EXISTS (SELECT 1 FROM overlap)""";
  /**
   * Merges a batch into the chunks of its series that its step ranges touch: those chunks are
   * replaced by chunks of their points and the batch's (the batch's value wins at a step both
   * hold), at most {@link #MAX_MERGED_CHUNK} points each. Disjointness is kept: the merged range
   * spans exactly the replaced chunks and the batch.
   */
  private static final String MERGE_INTO_CHUNKS = """
      WITH point AS (SELECT * FROM unnest(?::int[], ?::bigint[], ?::float8[], ?::bigint[]) AS u(s, st, v, t))
      , batch_range AS (SELECT s, min(st) AS lo, max(st) AS hi FROM point GROUP BY s)
      , replaced AS (
        DELETE FROM metric_chunk c USING batch_range b
        WHERE c.series_id = b.s AND c.last_step >= b.lo AND c.first_step <= b.hi
        RETURNING c.series_id, c.steps, c.vals, c.times_us)
      , merged AS (
        SELECT DISTINCT ON (s, st) s, st, v, t FROM (
          SELECT s, st, v, t, 0 AS older FROM point
          UNION ALL
          SELECT r.series_id, o.st, o.v, o.t, 1 FROM replaced r, unnest(r.steps, r.vals, r.times_us) AS o(st, v, t)) x
        ORDER BY s, st, older)
      , numbered AS (SELECT *, (row_number() OVER (PARTITION BY s ORDER BY st) - 1) / ? AS piece FROM merged)
      INSERT INTO metric_chunk (series_id, first_step, last_step, steps, vals, times_us)
      SELECT s, min(st), max(st), array_agg(st ORDER BY st), array_agg(v ORDER BY st), array_agg(t ORDER BY st)
      FROM numbered GROUP BY s, piece""";
  /** The points of a series in a step range, from the chunks that overlap it: (series, from, to, from, to). */
  private static final String POINTS_IN_RANGE = """
      SELECT p.st AS step, p.v AS value, p.t AS time_us FROM metric_chunk c, unnest(c.steps, c.vals, c.times_us) AS p(st, v, t)
      WHERE c.series_id = ? AND c.last_step >= ? AND c.first_step <= ? AND p.st BETWEEN ? AND ?""";

  /** Connections that concurrent reads of one comparison may take beyond the request's own, in all. */
  static final int PARALLEL_READS = 6;

  private final Transactions db;
  private final java.util.concurrent.Semaphore parallelReads = new java.util.concurrent.Semaphore(PARALLEL_READS);
  private final java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
  /** (run id, name) → series id. Series are never deleted, so entries never go stale. */
  private final Map<String, Integer> seriesIds = new ConcurrentHashMap<>();

  MetricRepository(Transactions db) {
    this.db = db;
  }

  @jakarta.annotation.PreDestroy
  void stopReaders() {
    readers.shutdownNow();
  }

  /**
   * Stores validated points, replacing the value of a (name, step) stored before (of points
   * repeated within the batch the last one wins), and brings rollups and the run's latest progress
   * up to date. Answers the points as stored.
   *
   * <p>Most batches hold only new steps (a trainer reports each step once, in order): they become
   * new chunks, their rollup rows computed here from the batch and merged, all in one round trip.
   * A batch reaching into steps a chunk holds (a retry, or a trainer resumed from a checkpoint) is
   * merged into those chunks instead and the rollup buckets it touches are recomputed.
   *
   * @param nowMicros the time (epoch microseconds) of points that carry none
   */
  public SortedPoints ingest(long runId, List<MetricPoint> points, long nowMicros) throws SQLException {
    Map<String, Integer> series = resolveSeries(runId, points);
    SortedPoints batch = SortedPoints.of(points, series, nowMicros);
    SortedPoints.Chunks chunks = batch.chunks();
    int[] lockOrder = chunks.seriesIds();
    BatchRollups rollups = BatchRollups.of(ROLLUP_WIDTHS, batch.ids(), batch.steps(), batch.values(), batch.timesMicros());
    Boolean overlaps = db.executeAtomically(LOCK_AND_STORE_NEW, (c, store) -> {
      store.setInt(1, SERIES_LOCK_SPACE);
      store.setArray(2, BatchRollups.array(c, "int4", lockOrder));
      store.setArray(3, BatchRollups.array(c, "int4", chunks.seriesIds()));
      store.setArray(4, BatchRollups.array(c, "int8", chunks.firstSteps()));
      store.setArray(5, BatchRollups.array(c, "int8", chunks.lastSteps()));
      store.setArray(6, BatchRollups.array(c, "int4", chunks.firstPoints()));
      store.setArray(7, BatchRollups.array(c, "int4", chunks.points()));
      store.setArray(8, BatchRollups.array(c, "int8", batch.steps()));
      store.setArray(9, BatchRollups.array(c, "float8", batch.values()));
      store.setArray(10, BatchRollups.array(c, "int8", batch.timesMicros()));
      rollups.bind(c, store, 11);
      bindProgress(store, 21, runId, batch, series);
    }, rs -> rs.next() && rs.getBoolean(1));
    if (!Boolean.FALSE.equals(overlaps)) {
      mergeIntoStoredChunks(runId, batch, series, lockOrder);
    }
    return batch;
  }

  /** Stores a batch some of whose steps were stored before: a retry, or a trainer resumed from a checkpoint. */
  private void mergeIntoStoredChunks(long runId, SortedPoints batch, Map<String, Integer> series, int[] lockOrder)
      throws SQLException {
    db.inTransaction(c -> {
      try (PreparedStatement lock = c.prepareStatement(LOCK_SERIES)) {
        lock.setInt(1, SERIES_LOCK_SPACE);
        lock.setArray(2, BatchRollups.array(c, "int4", lockOrder));
        lock.executeQuery().close();
      }
      try (PreparedStatement merge = c.prepareStatement(MERGE_INTO_CHUNKS)) {
        merge.setArray(1, BatchRollups.array(c, "int4", batch.ids()));
        merge.setArray(2, BatchRollups.array(c, "int8", batch.steps()));
        merge.setArray(3, BatchRollups.array(c, "float8", batch.values()));
        merge.setArray(4, BatchRollups.array(c, "int8", batch.timesMicros()));
        merge.setInt(5, MAX_MERGED_CHUNK);
        merge.executeUpdate();
      }
      // Merging into a rollup row cannot take back a replaced extreme: recompute the touched buckets.
      updateRollups(c, batch.ids(), batch.steps());
      try (PreparedStatement progress = c.prepareStatement(UPDATE_PROGRESS)) {
        bindProgress(progress, 1, runId, batch, series);
        progress.executeUpdate();
      }
      return null;
    });
  }

  /** Recomputes the rollup buckets the points fall in, level by level, from the stored points. */
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
            SELECT min(ARRAY[p.v, p.st::float8, p.t::float8]) AS lo, max(ARRAY[p.v, p.st::float8, p.t::float8]) AS hi,
                   count(*)::int AS n
            FROM metric_chunk c, unnest(c.steps, c.vals, c.times_us) AS p(st, v, t)
            WHERE c.series_id = t.s AND c.last_step >= t.b * ? AND c.first_step < (t.b + 1) * ?
              AND p.st >= t.b * ? AND p.st < (t.b + 1) * ?"""
          : """
            SELECT min(ARRAY[r.min_value, r.min_step::float8, r.min_time_us::float8]) AS lo,
                   max(ARRAY[r.max_value, r.max_step::float8, r.max_time_us::float8]) AS hi, sum(r.points)::int AS n
            FROM metric_rollup r WHERE r.series_id = t.s AND r.width = ? AND r.bucket >= t.b * ? AND r.bucket < (t.b + 1) * ?""";
      try (PreparedStatement rollup = c.prepareStatement("""
          INSERT INTO metric_rollup (series_id, width, bucket, min_value, min_step, max_value, max_step, points,
            min_time_us, max_time_us)
          SELECT t.s, ?, t.b, a.lo[1], a.lo[2]::bigint, a.hi[1], a.hi[2]::bigint, a.n, a.lo[3]::bigint, a.hi[3]::bigint
          FROM unnest(?::int[], ?::bigint[]) AS t(s, b) CROSS JOIN LATERAL (""" + source + """
          ) a
          WHERE a.n > 0
          ON CONFLICT (series_id, width, bucket) DO UPDATE SET min_value = EXCLUDED.min_value,
            min_step = EXCLUDED.min_step, max_value = EXCLUDED.max_value, max_step = EXCLUDED.max_step,
            points = EXCLUDED.points, min_time_us = EXCLUDED.min_time_us, max_time_us = EXCLUDED.max_time_us""")) {
        rollup.setInt(1, width);
        rollup.setArray(2, c.createArrayOf("int4", bucketSeries.toArray()));
        rollup.setArray(3, c.createArrayOf("int8", buckets.toArray()));
        if (previousWidth == 1) {
          for (int k = 4; k <= 7; k++) {
            rollup.setLong(k, ratio);
          }
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

  /** Which of these runs exist. */
  public Set<Long> existingRuns(List<Long> runIds) throws SQLException {
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement("SELECT id FROM run WHERE id = ANY(?)")) {
        select.setArray(1, c.createArrayOf("int8", runIds.toArray()));
        try (ResultSet rs = select.executeQuery()) {
          Set<Long> found = new HashSet<>();
          while (rs.next()) {
            found.add(rs.getLong(1));
          }
          return found;
        }
      }
    });
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

  /** One run's part of a query: the names of its series and the step range, both ends included. */
  public record SeriesRange(long runId, List<String> names, long from, long to) {}

  /**
   * The points of each named series with {@code from <= step <= to}, at most {@code maxPoints}
   * (at least 10) per series. A longer range is cut into step buckets of equal width; each bucket
   * returns its minimum and its maximum at their steps, computed in SQL from the rollups where
   * whole rollup buckets fit and from the points at the range's ragged ends.
   */
  public List<MetricSeries> query(long runId, List<String> names, long from, long to, int maxPoints) throws SQLException {
    return query(List.of(new SeriesRange(runId, names, from, to)), maxPoints).getFirst();
  }

  /**
   * {@link #query(long, List, long, long, int)} for several runs (a comparison): a list of series
   * per range, in the order of the ranges and their names. The runs are read concurrently, each on
   * its own connection, while spare connections last ({@link #PARALLEL_READS} in all): overlaying
   * five runs then takes about as long as the slowest of them on a machine with cores to spare,
   * not five times one.
   */
  public List<List<MetricSeries>> query(List<SeriesRange> ranges, int maxPoints) throws SQLException {
    List<java.util.concurrent.Future<List<MetricSeries>>> elsewhere = new ArrayList<>();
    List<List<MetricSeries>> result = new ArrayList<>();
    try {
      for (int i = 1; i < ranges.size(); i++) {
        SeriesRange range = ranges.get(i);
        elsewhere.add(parallelReads.tryAcquire() ? readers.submit(() -> {
          try {
            return db.read(c -> series(c, range, maxPoints));
          } finally {
            parallelReads.release();
          }
        }) : null);
      }
      result.add(db.read(c -> series(c, ranges.getFirst(), maxPoints)));
      for (int i = 1; i < ranges.size(); i++) {
        var future = elsewhere.get(i - 1);
        SeriesRange range = ranges.get(i);
        result.add(future == null ? db.read(c -> series(c, range, maxPoints)) : future.get());
      }
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while reading metric series", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new SQLException(e.getCause());
    } finally {
      elsewhere.forEach(f -> {
        if (f != null) {
          f.cancel(false);
        }
      });
    }
  }

  /** The named series of one run over its range. */
  private static List<MetricSeries> series(Connection c, SeriesRange range, int maxPoints) throws SQLException {
    Map<String, Integer> ids = new HashMap<>();
    try (PreparedStatement select = c.prepareStatement(
        "SELECT name, id FROM metric_series WHERE run_id = ? AND name = ANY(?)")) {
      select.setLong(1, range.runId());
      select.setArray(2, c.createArrayOf("text", range.names().toArray()));
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          ids.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    List<MetricSeries> series = new ArrayList<>();
    for (String name : range.names()) {
      Integer id = ids.get(name);
      series.add(id == null ? new MetricSeries(name, List.of(), List.of(), List.of(), false)
          : series(c, name, id, range.from(), range.to(), maxPoints));
    }
    return series;
  }

  private static MetricSeries series(Connection c, String name, int seriesId, long from, long to, int maxPoints)
      throws SQLException {
    long lo;
    long hi;
    // Chunks are disjoint: the first one ending at or after `from` holds the lowest step from there
    // on, and the last one starting at or before `to` the highest step up to there.
    try (PreparedStatement bounds = c.prepareStatement("""
        SELECT (SELECT (SELECT min(st) FROM unnest(c.steps) AS st WHERE st >= ?) FROM metric_chunk c
                 WHERE c.series_id = ? AND c.last_step >= ? ORDER BY c.last_step LIMIT 1),
               (SELECT (SELECT max(st) FROM unnest(c.steps) AS st WHERE st <= ?) FROM metric_chunk c
                 WHERE c.series_id = ? AND c.first_step <= ? ORDER BY c.first_step DESC LIMIT 1)""")) {
      bounds.setLong(1, from);
      bounds.setInt(2, seriesId);
      bounds.setLong(3, from);
      bounds.setLong(4, to);
      bounds.setInt(5, seriesId);
      bounds.setLong(6, to);
      try (ResultSet rs = bounds.executeQuery()) {
        rs.next();
        lo = rs.getLong(1);
        boolean empty = rs.wasNull();
        hi = rs.getLong(2);
        if (empty || rs.wasNull() || hi < lo) {
          return new MetricSeries(name, List.of(), List.of(), List.of(), false);
        }
      }
    }
    List<Long> steps = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    long range = hi - lo + 1;
    if (range <= maxPoints) { // steps are unique, so this range holds at most maxPoints points
      try (PreparedStatement select = c.prepareStatement(POINTS_IN_RANGE + " ORDER BY step")) {
        bindRange(select, 1, seriesId, lo, hi);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            steps.add(rs.getLong(1));
            values.add(rs.getDouble(2));
            times.add(Math.floorDiv(rs.getLong(3), 1000));
          }
        }
      }
      return new MetricSeries(name, steps, values, times, false);
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
    record Extreme(long step, double value, long timeMicros) {}
    List<Extreme> extremes = new ArrayList<>();
    // Each extreme is ARRAY[value, step, time]: ordered by value, then step; the time rides along.
    // Read back as plain columns (binary float8s, no array text to parse).
    try (PreparedStatement select = c.prepareStatement("""
        SELECT lo[1], lo[2]::bigint, lo[3]::bigint, hi[1], hi[2]::bigint, hi[3]::bigint FROM (
          SELECT min(ARRAY[lo, lo_step::float8, lo_t::float8]) AS lo, max(ARRAY[hi, hi_step::float8, hi_t::float8]) AS hi
          FROM (
            SELECT min_step AS lo_step, min_value AS lo, min_time_us AS lo_t, max_step AS hi_step, max_value AS hi,
                   max_time_us AS hi_t
            FROM metric_rollup WHERE series_id = ? AND width = ? AND bucket BETWEEN ? AND ?
            UNION ALL
            SELECT step, value, time_us, step, value, time_us FROM (""" + POINTS_IN_RANGE + """
            ) head
            UNION ALL
            SELECT step, value, time_us, step, value, time_us FROM (""" + POINTS_IN_RANGE + """
            ) tail
          ) source GROUP BY lo_step / ?) bucket""")) {
      select.setInt(1, seriesId);
      select.setInt(2, rollupWidth);
      select.setLong(3, firstRollup);
      select.setLong(4, lastRollup);
      bindRange(select, 5, seriesId, head[0], head[1]);
      bindRange(select, 10, seriesId, tail[0], tail[1]);
      select.setLong(15, bucketWidth);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          long minStep = rs.getLong(2);
          long maxStep = rs.getLong(5);
          extremes.add(new Extreme(minStep, rs.getDouble(1), rs.getLong(3)));
          if (maxStep != minStep) {
            extremes.add(new Extreme(maxStep, rs.getDouble(4), rs.getLong(6)));
          }
        }
      }
    }
    extremes.sort(Comparator.comparingLong(Extreme::step));
    for (Extreme e : extremes) {
      steps.add(e.step());
      values.add(e.value());
      times.add(Math.floorDiv(e.timeMicros(), 1000));
    }
    return new MetricSeries(name, steps, values, times, true);
  }

  /** Binds {@link #POINTS_IN_RANGE} from parameter {@code first} on. */
  private static void bindRange(PreparedStatement statement, int first, int seriesId, long from, long to)
      throws SQLException {
    statement.setInt(first, seriesId);
    statement.setLong(first + 1, from);
    statement.setLong(first + 2, to);
    statement.setLong(first + 3, from);
    statement.setLong(first + 4, to);
  }
}
